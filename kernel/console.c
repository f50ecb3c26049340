// console.c — the host console on COM1 (16550), polled transmit.
#include "kernel/console.h"
#include "kernel/x86.h"

#define COM1         0x3f8
#define UART_THR     0      // transmit holding (DLAB=0)
#define UART_DLL     0      // divisor low (DLAB=1)
#define UART_IER     1
#define UART_DLM     1      // divisor high (DLAB=1)
#define UART_FCR     2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define LCR_8N1      0x03
#define LCR_DLAB     0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_THRE     0x20
#define LSR_TEMT     0x40
#define BAUD_DIVISOR 1      // 115200 = 1843200 / 16 / 1
#define SPIN_LIMIT   1000000

// Program COM1 for 115200 8N1 with FIFOs, interrupts off.
void console_init(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, BAUD_DIVISOR);
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
    outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

// Send one byte, waiting (boundedly: a missing UART must not hang us) for room.
void console_putc(char c)
{
    for (int i = 0; i < SPIN_LIMIT && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
        pause();
    outb(COM1 + UART_THR, (u8)c);
}

// Send n bytes, turning "\n" into "\r\n" for terminals.
void console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') console_putc('\r');
        console_putc(s[i]);
    }
}

// Wait for the transmitter to be empty.
void console_drain(void)
{
    for (int i = 0; i < SPIN_LIMIT && !(inb(COM1 + UART_LSR) & LSR_TEMT); i++)
        pause();
}
