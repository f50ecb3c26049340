// ns16550.h — a 16550A UART: the guest console on COM1 (0x3f8, IRQ 4).
//
// Transmission is instant: a byte written to THR goes to devenv.console_out at once and
// THR/TSR are always empty (LSR.THRE and TEMT set). The THRE interrupt follows the chip
// and Linux's 8250 driver: it is requested when THR becomes empty or when IER.ETBEI is
// turned on while THR is empty, and withdrawn by reading IIR while it is the reported
// source or by writing THR. The receive side has a 16-byte FIFO fed by ns16550_receive;
// data below the FIFO trigger level is reported as a character timeout at once (there
// is no line to wait on). As on a PC board, the interrupt reaches the PIC only while
// MCR.OUT2 is set, and never in loopback.
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define NS16550_COM1_PORT 0x3f8
#define NS16550_COM1_IRQ  4
#define NS16550_FIFO      16

// Register offsets
#define NS16550_RBR 0   // read: receive buffer; write: THR; DLAB: divisor latch low
#define NS16550_IER 1   // DLAB: divisor latch high
#define NS16550_IIR 2   // read: interrupt identification; write: FCR
#define NS16550_LCR 3
#define NS16550_MCR 4
#define NS16550_LSR 5
#define NS16550_MSR 6
#define NS16550_SCR 7
// IER
#define NS16550_IER_RDI   0x01   // received data available
#define NS16550_IER_THRI  0x02   // THR empty
#define NS16550_IER_RLSI  0x04   // receiver line status
#define NS16550_IER_MSI   0x08   // modem status
#define NS16550_IER_MASK  0x0f
// IIR
#define NS16550_IIR_NO_INT 0x01
#define NS16550_IIR_MSI    0x00
#define NS16550_IIR_THRI   0x02
#define NS16550_IIR_RDI    0x04
#define NS16550_IIR_RLSI   0x06
#define NS16550_IIR_CTI    0x0c   // character timeout
#define NS16550_IIR_ID     0x0f
#define NS16550_IIR_FIFO   0xc0   // FIFOs enabled
// FCR
#define NS16550_FCR_ENABLE   0x01
#define NS16550_FCR_CLEAR_RX 0x02
#define NS16550_FCR_CLEAR_TX 0x04
#define NS16550_FCR_TRIGGER(v) (((v) >> 6) & 3)
// LCR
#define NS16550_LCR_DLAB  0x80
// MCR
#define NS16550_MCR_DTR   0x01
#define NS16550_MCR_RTS   0x02
#define NS16550_MCR_OUT1  0x04
#define NS16550_MCR_OUT2  0x08   // gates the IRQ on a PC
#define NS16550_MCR_LOOP  0x10
#define NS16550_MCR_MASK  0x1f
// LSR
#define NS16550_LSR_DR    0x01
#define NS16550_LSR_OE    0x02
#define NS16550_LSR_ERRS  0x1e   // OE, PE, FE, BI: cleared by reading LSR
#define NS16550_LSR_THRE  0x20
#define NS16550_LSR_TEMT  0x40
// MSR
#define NS16550_MSR_DCTS  0x01
#define NS16550_MSR_DDSR  0x02
#define NS16550_MSR_TERI  0x04
#define NS16550_MSR_DDCD  0x08
#define NS16550_MSR_DELTA 0x0f
#define NS16550_MSR_CTS   0x10
#define NS16550_MSR_DSR   0x20
#define NS16550_MSR_RI    0x40
#define NS16550_MSR_DCD   0x80
// What the far end shows when not in loopback: a terminal that is there and ready.
#define NS16550_MSR_LINE  (NS16550_MSR_DCD | NS16550_MSR_DSR | NS16550_MSR_CTS)

struct ns16550 {
    struct devenv env;
    u16 base;
    int irq;
    u8 ier, lcr, mcr, lsr, msr, scr, fcr;
    u16 divisor;
    bool thr_ipending;          // THRE interrupt requested and not yet withdrawn
    u8 rx[NS16550_FIFO];
    int rx_head, rx_count;
    bool irq_level;             // what we last drove on the line
    bool ro_logged;             // a write to LSR/MSR was logged (once per VM)
};

// Create a UART at `base` on ISA line `irq`, reset as at power-on.
struct ns16550 *ns16550_create(const struct devenv *env, u16 base, int irq);
void ns16550_destroy(struct ns16550 *uart);
// Claim base..base+7 on `bus`.
bool ns16550_attach(struct ns16550 *uart, struct iobus *bus);
// A byte arriving on the line (host console input); false if it overran the FIFO.
bool ns16550_receive(struct ns16550 *uart, u8 byte);
