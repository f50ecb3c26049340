// ns16550.c — the 16550A UART: registers, FIFO detection, THRE/receive interrupts.
#include "vmm/dev/ns16550.h"
#include "kernel/heap.h"
#include "kernel/log.h"

static const u8 trigger_levels[4] = { 1, 4, 8, 14 };

// The highest-priority pending interrupt as IIR reports it (NO_INT when none).
static u8 pending_id(const struct ns16550 *u)
{
    bool fifo = u->fcr & NS16550_FCR_ENABLE;
    if ((u->ier & NS16550_IER_RLSI) && (u->lsr & NS16550_LSR_ERRS)) return NS16550_IIR_RLSI;
    if ((u->ier & NS16550_IER_RDI) && u->rx_count) {
        if (!fifo || u->rx_count >= trigger_levels[NS16550_FCR_TRIGGER(u->fcr)])
            return NS16550_IIR_RDI;
        return NS16550_IIR_CTI;
    }
    if ((u->ier & NS16550_IER_THRI) && u->thr_ipending) return NS16550_IIR_THRI;
    if ((u->ier & NS16550_IER_MSI) && (u->msr & NS16550_MSR_DELTA)) return NS16550_IIR_MSI;
    return NS16550_IIR_NO_INT;
}

// Drive the ISA line: the chip's INTR, gated by OUT2 (and cut in loopback).
static void update_irq(struct ns16550 *u)
{
    bool level = pending_id(u) != NS16550_IIR_NO_INT && (u->mcr & NS16550_MCR_OUT2) &&
                 !(u->mcr & NS16550_MCR_LOOP);
    if (level == u->irq_level) return;
    u->irq_level = level;
    u->env.set_irq(u->env.ctx, u->irq, level);
}

// Modem status inputs: the far end, or in loopback the MCR outputs fed back.
static u8 msr_inputs(const struct ns16550 *u)
{
    if (!(u->mcr & NS16550_MCR_LOOP)) return NS16550_MSR_LINE;
    u8 m = 0;
    if (u->mcr & NS16550_MCR_RTS) m |= NS16550_MSR_CTS;
    if (u->mcr & NS16550_MCR_DTR) m |= NS16550_MSR_DSR;
    if (u->mcr & NS16550_MCR_OUT1) m |= NS16550_MSR_RI;
    if (u->mcr & NS16550_MCR_OUT2) m |= NS16550_MSR_DCD;
    return m;
}

// Recompute the MSR inputs after an MCR change, setting the delta bits for changes.
static void update_msr(struct ns16550 *u)
{
    u8 old = u->msr, now = msr_inputs(u), changed = old ^ now;
    u8 delta = old & NS16550_MSR_DELTA;
    if (changed & NS16550_MSR_CTS) delta |= NS16550_MSR_DCTS;
    if (changed & NS16550_MSR_DSR) delta |= NS16550_MSR_DDSR;
    if ((old & NS16550_MSR_RI) && !(now & NS16550_MSR_RI)) delta |= NS16550_MSR_TERI;
    if (changed & NS16550_MSR_DCD) delta |= NS16550_MSR_DDCD;
    u->msr = now | delta;
}

// Put a received byte into the FIFO (a one-byte holding register with FIFOs off).
static bool rx_push(struct ns16550 *u, u8 byte)
{
    int depth = (u->fcr & NS16550_FCR_ENABLE) ? NS16550_FIFO : 1;
    if (u->rx_count >= depth) {
        // Overrun: with FIFOs off the new byte replaces the held one, else it is lost.
        if (depth == 1) u->rx[u->rx_head] = byte;
        u->lsr |= NS16550_LSR_OE;
        update_irq(u);
        return false;
    }
    u->rx[(u->rx_head + u->rx_count) % NS16550_FIFO] = byte;
    u->rx_count++;
    u->lsr |= NS16550_LSR_DR;
    update_irq(u);
    return true;
}

static void rx_clear(struct ns16550 *u)
{
    u->rx_head = u->rx_count = 0;
    u->lsr &= ~NS16550_LSR_DR;
}

// Create a UART at `base` on ISA line `irq`.
struct ns16550 *ns16550_create(const struct devenv *env, u16 base, int irq)
{
    struct ns16550 *u = kzalloc(sizeof *u);
    if (!u) return NULL;
    u->env = *env;
    u->base = base;
    u->irq = irq;
    u->lsr = NS16550_LSR_THRE | NS16550_LSR_TEMT;
    u->msr = NS16550_MSR_LINE;
    u->divisor = 12;   // 9600 baud, as firmware leaves COM1
    return u;
}

void ns16550_destroy(struct ns16550 *uart)
{
    kfree(uart);
}

// A byte arriving on the line; false if it overran the FIFO. In loopback the line
// input is disconnected, so the byte is dropped.
bool ns16550_receive(struct ns16550 *uart, u8 byte)
{
    if (uart->mcr & NS16550_MCR_LOOP) return false;
    return rx_push(uart, byte);
}

static u32 ns16550_io_in(void *dev, u16 port, int size)
{
    struct ns16550 *u = dev;
    bool dlab = u->lcr & NS16550_LCR_DLAB;
    u8 v;
    switch (port - u->base) {
    case NS16550_RBR:
        if (dlab) return u->divisor & 0xff;
        if (!u->rx_count) return u->rx[u->rx_head];   // stale byte, as the chip returns
        v = u->rx[u->rx_head];
        u->rx_head = (u->rx_head + 1) % NS16550_FIFO;
        if (--u->rx_count == 0) u->lsr &= ~NS16550_LSR_DR;
        update_irq(u);
        return v;
    case NS16550_IER:
        return dlab ? u->divisor >> 8 : u->ier;
    case NS16550_IIR: {
        u8 id = pending_id(u);
        // Reading IIR while THRE is the reported source withdraws it.
        if (id == NS16550_IIR_THRI) {
            u->thr_ipending = false;
            update_irq(u);
        }
        return id | ((u->fcr & NS16550_FCR_ENABLE) ? NS16550_IIR_FIFO : 0);
    }
    case NS16550_LCR:
        return u->lcr;
    case NS16550_MCR:
        return u->mcr;
    case NS16550_LSR:
        v = u->lsr;
        u->lsr &= ~NS16550_LSR_ERRS;
        update_irq(u);
        return v;
    case NS16550_MSR:
        v = u->msr;
        u->msr &= ~NS16550_MSR_DELTA;
        update_irq(u);
        return v;
    default:
        return u->scr;
    }
}

// A byte written to THR: out at once (or back in, in loopback), THR empty again.
static void transmit(struct ns16550 *u, u8 byte)
{
    if (u->mcr & NS16550_MCR_LOOP) rx_push(u, byte);
    else u->env.console_out(u->env.ctx, byte);
    u->thr_ipending = true;
    update_irq(u);
}

static void ns16550_io_out(void *dev, u16 port, int size, u32 val)
{
    struct ns16550 *u = dev;
    bool dlab = u->lcr & NS16550_LCR_DLAB;
    u8 v = (u8)val;
    switch (port - u->base) {
    case NS16550_RBR:
        if (dlab) u->divisor = (u16)((u->divisor & 0xff00) | v);
        else transmit(u, v);
        return;
    case NS16550_IER: {
        if (dlab) {
            u->divisor = (u16)((u->divisor & 0xff) | v << 8);
            return;
        }
        u8 old = u->ier;
        u->ier = v & NS16550_IER_MASK;
        // Turning ETBEI on with THR empty requests the THRE interrupt (Linux's 8250
        // startup tests exactly this); turning it off drops the request.
        if ((u->ier ^ old) & NS16550_IER_THRI) u->thr_ipending = u->ier & NS16550_IER_THRI;
        update_irq(u);
        return;
    }
    case NS16550_IIR:   // FCR
        if ((v ^ u->fcr) & NS16550_FCR_ENABLE) rx_clear(u);   // toggling FIFOs empties them
        if (v & NS16550_FCR_CLEAR_RX) rx_clear(u);
        u->fcr = v & (NS16550_FCR_ENABLE | 0xc0);
        update_irq(u);
        return;
    case NS16550_LCR:
        u->lcr = v;
        return;
    case NS16550_MCR:
        u->mcr = v & NS16550_MCR_MASK;
        update_msr(u);
        update_irq(u);
        return;
    case NS16550_LSR:
    case NS16550_MSR:
        // Once per VM: a guest looping on these cannot flood the console.
        if (!u->ro_logged)
            log_warn("vm=%d ns16550 write to read-only register port=0x%x val=0x%x "
                     "(further ones not logged)", u->env.vm_id, port, v);
        u->ro_logged = true;
        return;
    default:
        u->scr = v;
        return;
    }
}

// Claim base..base+7.
bool ns16550_attach(struct ns16550 *uart, struct iobus *bus)
{
    return iobus_register(bus, uart->base, 8, IOBUS_SZ8, ns16550_io_in, ns16550_io_out,
                          uart, "ns16550");
}
