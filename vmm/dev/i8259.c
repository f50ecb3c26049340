// i8259.c — the cascaded 8259A pair: init words, EOI, priorities, poll, cascade, ELCR.
#include "vmm/dev/i8259.h"
#include "kernel/heap.h"
#include "kernel/log.h"

// Priority position (0 = highest) of the best request in `mask`, or 8 when empty.
static int priority_of(const struct i8259_chip *c, u8 mask)
{
    if (!mask) return 8;
    int p = 0;
    while (!(mask & (1u << ((p + c->lowest + 1) & 7)))) p++;
    return p;
}

// The line this chip would raise INTR for now, or -1: the best unmasked request that
// beats everything in service (special mask mode lets masked in-service lines lose).
static int chip_pending(const struct i8259_chip *c, bool master)
{
    int req = priority_of(c, c->irr & ~c->imr);
    if (req == 8) return -1;
    u8 busy = c->isr;
    if (c->special_mask) busy &= ~c->imr;
    // SFNM: a further slave request may nest over the in-service cascade line.
    if (master && c->sfnm) busy &= ~(1u << I8259_CASCADE_IRQ);
    if (req < priority_of(c, busy)) return (req + c->lowest + 1) & 7;
    return -1;
}

// Latch or drop a request on one chip's input `irq` (0-7).
static void chip_input(struct i8259_chip *c, int irq, int level)
{
    u8 m = (u8)(1u << irq);
    if (c->elcr & m) {
        if (level) c->irr |= m; else c->irr &= ~m;
    } else if (level && !(c->line & m)) {
        c->irr |= m;
    }
    if (level) c->line |= m; else c->line &= ~m;
}

// The slave's INTR output is wired to the master's IRQ 2 input. It is taken as a level
// (IRR 2 mirrors it) rather than edge-latched: after an INTA the slave may still hold a
// request (auto-EOI, special mask) without its output ever dropping, and an edge latch
// would lose it.
static void cascade(struct i8259 *pic)
{
    struct i8259_chip *m = &pic->chip[0];
    u8 bit = 1u << I8259_CASCADE_IRQ;
    if (chip_pending(&pic->chip[1], false) >= 0) m->irr |= bit; else m->irr &= (u8)~bit;
}

// Acknowledge `irq` on one chip: into ISR (unless auto-EOI), out of IRR if edge.
static void chip_ack(struct i8259_chip *c, int irq)
{
    u8 m = (u8)(1u << irq);
    if (c->auto_eoi) {
        if (c->rotate_aeoi) c->lowest = (u8)irq;
    } else {
        c->isr |= m;
    }
    // A level request stays in IRR for as long as its line is high.
    if (!(c->elcr & m)) c->irr &= ~m;
}

// Create the pair in its power-on state.
struct i8259 *i8259_create(const struct devenv *env)
{
    struct i8259 *pic = kzalloc(sizeof *pic);
    if (!pic) return NULL;
    pic->env = *env;
    for (int i = 0; i < 2; i++) {
        pic->chip[i].lowest = 7;
        pic->chip[i].imr = 0xff;
    }
    return pic;
}

void i8259_destroy(struct i8259 *pic)
{
    kfree(pic);
}

// Drive ISA line `irq` (0-15) to `level`.
void i8259_set_irq(struct i8259 *pic, int irq, int level)
{
    // Line 2 is the cascade: nothing on the ISA bus drives it (its pin is IRQ 9).
    if (irq < 0 || irq > 15 || irq == I8259_CASCADE_IRQ) {
        log_err("vm=%d i8259 set_irq bad line irq=%d", pic->env.vm_id, irq);
        return;
    }
    chip_input(&pic->chip[irq >> 3], irq & 7, level);
    cascade(pic);
}

// True when the pair asserts INTR to the CPU.
bool i8259_has_intr(struct i8259 *pic)
{
    return chip_pending(&pic->chip[0], true) >= 0;
}

// True when some input line can still reach INTR: an unmasked master line other than the
// cascade, or the cascade unmasked with an unmasked slave line. Lines blocked only by an
// in-service interrupt count as open (an EOI may come from an NMI or SMI handler).
bool i8259_any_unmasked(struct i8259 *pic)
{
    u8 cascade_bit = 1u << I8259_CASCADE_IRQ;
    u8 master_open = (u8)~pic->chip[0].imr;
    if (master_open & ~cascade_bit) return true;
    return (master_open & cascade_bit) && pic->chip[1].imr != 0xff;
}

// The INTA cycle: the vector to deliver, with spurious IRQ 7 / 15 when the request
// went away before the acknowledge (as the 8259A answers).
int i8259_intack(struct i8259 *pic)
{
    struct i8259_chip *m = &pic->chip[0], *s = &pic->chip[1];
    int irq = chip_pending(m, true);
    int vec;
    if (irq < 0) return m->base + 7;
    if (irq == I8259_CASCADE_IRQ) {
        int sirq = chip_pending(s, false);
        if (sirq >= 0) chip_ack(s, sirq);
        vec = s->base + (sirq >= 0 ? sirq : 7);
    } else {
        vec = m->base + irq;
    }
    chip_ack(m, irq);
    cascade(pic);
    return vec;
}

// Command port write: ICW1, OCW2 or OCW3.
static void write_cmd(struct i8259 *pic, struct i8259_chip *c, u8 v)
{
    if (v & I8259_ICW1_INIT) {
        // ICW1 clears the mask, ISR, latched edges and rotation. The input levels and the
        // ELCR (a PIIX register) survive: an edge line must rise again to request, a
        // level line that is high requests at once.
        u8 elcr = c->elcr, line = c->line;
        *c = (struct i8259_chip){ .elcr = elcr, .line = line, .irr = line & elcr,
                                  .lowest = 7, .init_step = 1 };
        c->icw4_needed = v & I8259_ICW1_IC4;
        c->single = v & I8259_ICW1_SNGL;
        if ((v & I8259_ICW1_LTIM) && !pic->ltim_warned) {
            pic->ltim_warned = true;
            log_warn("vm=%d i8259 ICW1.LTIM ignored (the ELCR selects level mode)",
                     pic->env.vm_id);
        }
        return;
    }
    if (v & I8259_OCW3_SEL) {
        if (v & I8259_OCW3_RR) c->read_isr = v & I8259_OCW3_RIS;
        if (v & I8259_OCW3_POLL) c->poll = true;
        if (v & I8259_OCW3_ESMM) c->special_mask = v & I8259_OCW3_SMM;
        return;
    }
    int level = v & 7;
    switch (v & 0xe0) {
    case 0x00:                                           // clear rotate in AEOI
    case I8259_OCW2_R:                                   // set rotate in AEOI
        c->rotate_aeoi = v & I8259_OCW2_R;
        return;
    case I8259_OCW2_EOI:                                 // non-specific EOI
    case I8259_OCW2_R | I8259_OCW2_EOI: {                // rotate on non-specific EOI
        int p = priority_of(c, c->isr);
        if (p == 8) return;
        int irq = (p + c->lowest + 1) & 7;
        c->isr &= ~(1u << irq);
        if (v & I8259_OCW2_R) c->lowest = (u8)irq;
        return;
    }
    case I8259_OCW2_SL | I8259_OCW2_EOI:                 // specific EOI
        c->isr &= ~(1u << level);
        return;
    case I8259_OCW2_R | I8259_OCW2_SL:                   // set priority
        c->lowest = (u8)level;
        return;
    case I8259_OCW2_R | I8259_OCW2_SL | I8259_OCW2_EOI:  // rotate on specific EOI
        c->isr &= ~(1u << level);
        c->lowest = (u8)level;
        return;
    default:                                             // 0x40: no operation
        return;
    }
}

// Data port write: the next init word, or OCW1 (the mask).
static void write_data(struct i8259_chip *c, u8 v)
{
    switch (c->init_step) {
    case 0:
        c->imr = v;
        return;
    case 1:
        c->base = v & 0xf8;
        c->init_step = c->single ? (c->icw4_needed ? 3 : 0) : 2;
        return;
    case 2:   // ICW3: the cascade wiring is fixed on a PC
        c->init_step = c->icw4_needed ? 3 : 0;
        return;
    default:  // ICW4
        c->auto_eoi = v & I8259_ICW4_AEOI;
        c->sfnm = v & I8259_ICW4_SFNM;
        c->init_step = 0;
        return;
    }
}

// Read a chip port: a poll answer, IRR or ISR (command port), or the mask.
static u8 read_chip(struct i8259 *pic, int idx, bool cmd)
{
    struct i8259_chip *c = &pic->chip[idx];
    if (c->poll) {
        // Poll: the INTA without the vector; bit 7 says a request was there.
        c->poll = false;
        int irq = chip_pending(c, idx == 0);
        if (irq < 0) return 0;
        chip_ack(c, irq);
        cascade(pic);
        return (u8)(0x80 | irq);
    }
    if (!cmd) return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

static u32 i8259_io_in(void *dev, u16 port, int size)
{
    struct i8259 *pic = dev;
    if (port >= I8259_ELCR_PORT) return pic->chip[port - I8259_ELCR_PORT].elcr;
    return read_chip(pic, port >= I8259_SLAVE_PORT, !(port & 1));
}

static void i8259_io_out(void *dev, u16 port, int size, u32 val)
{
    struct i8259 *pic = dev;
    u8 v = (u8)val;
    if (port >= I8259_ELCR_PORT) {
        int idx = port - I8259_ELCR_PORT;
        struct i8259_chip *c = &pic->chip[idx];
        c->elcr = v & (idx ? I8259_ELCR_MASK_SLAVE : I8259_ELCR_MASK_MASTER);
        // A line switched to edge keeps only a request already latched; one switched
        // to level requests from its current level.
        c->irr = (u8)((c->irr & ~c->elcr) | (c->line & c->elcr));
    } else {
        struct i8259_chip *c = &pic->chip[port >= I8259_SLAVE_PORT];
        if (port & 1) write_data(c, v); else write_cmd(pic, c, v);
    }
    cascade(pic);
}

// Claim the controller and ELCR ports.
bool i8259_attach(struct i8259 *pic, struct iobus *bus)
{
    return iobus_register(bus, I8259_MASTER_PORT, 2, IOBUS_SZ8, i8259_io_in, i8259_io_out,
                          pic, "i8259-master") &&
           iobus_register(bus, I8259_SLAVE_PORT, 2, IOBUS_SZ8, i8259_io_in, i8259_io_out,
                          pic, "i8259-slave") &&
           iobus_register(bus, I8259_ELCR_PORT, 2, IOBUS_SZ8, i8259_io_in, i8259_io_out,
                          pic, "elcr");
}
