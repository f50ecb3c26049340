// serial.h — polled output on the COM1 16550
#pragma once

#define COM1_BASE     0x3f8
#define UART_THR      0      // transmit holding register
#define UART_IER      1      // interrupt enable
#define UART_DLL      0      // divisor latch low (DLAB=1)
#define UART_DLM      1      // divisor latch high (DLAB=1)
#define UART_FCR      2      // FIFO control
#define UART_LCR      3      // line control
#define UART_MCR      4      // modem control
#define UART_LSR      5      // line status
#define UART_SCR      7      // scratch register
#define UART_LSR_THRE 0x20   // transmit holding register empty
#define UART_LSR_TEMT 0x40   // transmitter empty

// Program COM1 for 115200 8N1 without interrupts.
void serial_init(void);
// Send one character, waiting (bounded) for room in the transmitter.
void serial_putc(char c);
// Wait (bounded) until everything sent has left the transmitter.
void serial_drain(void);
