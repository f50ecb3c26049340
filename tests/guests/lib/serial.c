// serial.c — polled output on the COM1 16550
#include "serial.h"
#include "io.h"

#define UART_LCR_DLAB   0x80
#define UART_LCR_8N1    0x03
#define UART_FCR_ENABLE 0xc7   // enable and clear FIFOs, 14-byte trigger
#define UART_MCR_DTRRTS 0x03
#define UART_DIV_115200 1
#define UART_SPIN_LIMIT 100000 // a missing UART never hangs the guest

// Program COM1 for 115200 8N1 without interrupts.
void serial_init(void) {
    outb(COM1_BASE + UART_IER, 0);
    outb(COM1_BASE + UART_LCR, UART_LCR_DLAB);
    outb(COM1_BASE + UART_DLL, UART_DIV_115200);
    outb(COM1_BASE + UART_DLM, 0);
    outb(COM1_BASE + UART_LCR, UART_LCR_8N1);
    outb(COM1_BASE + UART_FCR, UART_FCR_ENABLE);
    outb(COM1_BASE + UART_MCR, UART_MCR_DTRRTS);
}

// Wait (bounded) until the line status register shows all bits of mask.
static void wait_lsr(unsigned char mask) {
    for (int i = 0; i < UART_SPIN_LIMIT; i++)
        if ((inb(COM1_BASE + UART_LSR) & mask) == mask) return;
}

// Send one character, waiting (bounded) for room in the transmitter.
void serial_putc(char c) {
    wait_lsr(UART_LSR_THRE);
    outb(COM1_BASE + UART_THR, (unsigned char)c);
}

// Wait (bounded) until everything sent has left the transmitter.
void serial_drain(void) { wait_lsr(UART_LSR_THRE | UART_LSR_TEMT); }
