// i8254.c — the 8254 PIT: six counter modes in real time, latches, read-back, port 0x61.
//
// A counter's state is its load time (`base`, in PIT ticks) and period: the count and
// OUT at any instant are computed from the elapsed ticks, so nothing runs between guest
// accesses. Integer math only: ticks = ns * 1193182 / 1e9, split to stay within 64 bits.
#include "vmm/dev/i8254.h"
#include "kernel/heap.h"

#define NS_PER_S 1000000000ULL

// PIT ticks elapsed by VM time `ns` (floor).
static u64 ns_to_ticks(u64 ns)
{
    return ns / NS_PER_S * I8254_HZ + ns % NS_PER_S * I8254_HZ / NS_PER_S;
}

// The first VM time (ns) at which tick `t` has been reached (ceiling).
static u64 ticks_to_ns(u64 t)
{
    return t / I8254_HZ * NS_PER_S + (t % I8254_HZ * NS_PER_S + I8254_HZ - 1) / I8254_HZ;
}

static u64 now_ticks(struct i8254 *pit)
{
    return ns_to_ticks(pit->env.now_ns(pit->env.ctx));
}

// Modes 6 and 7 are aliases of 2 and 3.
static int mode_of(const struct i8254_channel *ch)
{
    return ch->mode >= 6 ? ch->mode - 4 : ch->mode;
}

static u32 modulus(const struct i8254_channel *ch)
{
    return ch->bcd ? 10000 : 0x10000;
}

static u32 from_bcd(u32 v)
{
    return (v >> 12 & 15) * 1000 + (v >> 8 & 15) * 100 + (v >> 4 & 15) * 10 + (v & 15);
}

static u32 to_bcd(u32 v)
{
    return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10;
}

// In modes 2 and 3 a count written while counting takes over at the end of the current
// period; apply it once that boundary has passed.
static void sync(struct i8254_channel *ch, u64 t)
{
    if (ch->pending && ch->running && t >= ch->pending_at) {
        ch->base = ch->pending_at;
        ch->count = ch->pending_count;
        ch->pending = false;
    }
}

// Ticks counted since the count was loaded (or the gate triggered / reloaded it).
static u64 elapsed(const struct i8254_channel *ch, u64 t)
{
    return ch->running ? t - ch->base : ch->frozen;
}

// The OUT pin at tick `t`.
static bool out_at(struct i8254_channel *ch, u64 t)
{
    sync(ch, t);
    int mode = mode_of(ch);
    if (!ch->loaded) return mode != 0;            // mode 0 drops OUT at the control word
    u64 d = elapsed(ch, t);
    switch (mode) {
    case 0: return d >= ch->count;                // rises at terminal count, stays high
    case 1: return !ch->running || d >= ch->count;  // low from trigger to terminal count
    case 2: return !ch->gate || d % ch->count != ch->count - 1;  // low while count is 1
    case 3: return !ch->gate || d % ch->count < (ch->count + 1) / 2;  // square wave
    case 4: return d != ch->count;                // one-tick strobe at terminal count
    default: return !ch->running || d != ch->count;  // mode 5: strobe after a trigger
    }
}

// The counting element at tick `t` (binary, 0..modulus-1). Mode 3 counts down by two
// each half period; for odd counts its halves are approximated (speaker only).
static u32 counter_at(struct i8254_channel *ch, u64 t)
{
    sync(ch, t);
    u32 m = modulus(ch);
    int mode = mode_of(ch);
    if (!ch->loaded || ((mode == 1 || mode == 5) && !ch->running)) return ch->count % m;
    u64 d = elapsed(ch, t);
    if (mode == 2) return (u32)(ch->count - d % ch->count) % m;
    if (mode == 3) {
        u32 p = (u32)(d % ch->count), h = (ch->count + 1) / 2;
        return (ch->count - 2 * (p < h ? p : p - h)) % m;
    }
    return (u32)((ch->count + m - d % m) % m);   // modes 0, 1, 4, 5 wrap after zero
}

// The value the guest reads: binary or BCD per the control word.
static u16 read_value(struct i8254_channel *ch, u64 t)
{
    u32 v = counter_at(ch, t);
    return (u16)(ch->bcd ? to_bcd(v) : v);
}

// Recompute when counter 0 next raises IRQ 0 (its OUT rising edge), from a fresh load.
static void schedule_irq(struct i8254 *pit, u64 t)
{
    struct i8254_channel *ch = &pit->ch[0];
    pit->irq_next = UINT64_MAX;
    if (!ch->loaded || !ch->running) return;
    switch (mode_of(ch)) {
    case 0: pit->irq_next = ch->base + ch->count; break;
    case 4: pit->irq_next = ch->base + ch->count + 1; break;  // OUT back high
    case 2:
    case 3: pit->irq_next = ch->base + (elapsed(ch, t) / ch->count + 1) * ch->count; break;
    default: break;   // modes 1 and 5 wait for a gate edge; gate 0 is tied high
    }
}

// A complete count was written: load it as the mode says.
static void load_count(struct i8254 *pit, int n, u16 raw, u64 t)
{
    struct i8254_channel *ch = &pit->ch[n];
    u32 v = ch->bcd ? from_bcd(raw) : raw;
    u32 count = v ? v : modulus(ch);              // 0 is the largest count
    int mode = mode_of(ch);
    sync(ch, t);
    if ((mode == 2 || mode == 3) && ch->loaded && ch->running) {
        // Periodic modes finish the current period with the old count.
        if (!ch->pending)
            ch->pending_at = ch->base + (elapsed(ch, t) / ch->count + 1) * ch->count;
        ch->pending = true;
        ch->pending_count = count;
        return;
    }
    ch->count = count;
    if ((mode == 1 || mode == 5) && ch->loaded) return;   // used at the next trigger
    ch->loaded = true;
    // Modes 1 and 5 wait for a gate rising edge; the others start now if gated on.
    ch->running = mode != 1 && mode != 5 && ch->gate;
    ch->base = t;
    ch->frozen = 0;
    if (n == 0) schedule_irq(pit, t);
}

// Gate input change (only counter 2's gate is wired, to port 0x61 bit 0).
static void set_gate(struct i8254_channel *ch, bool level, u64 t)
{
    sync(ch, t);
    if (level == ch->gate) return;
    ch->gate = level;
    if (!ch->loaded) return;
    switch (mode_of(ch)) {
    case 0:
    case 4:   // the gate suspends counting
        if (!level) {
            ch->frozen = t - ch->base;
            ch->running = false;
        } else {
            ch->base = t - ch->frozen;
            ch->running = true;
        }
        break;
    case 2:
    case 3:   // low stops (OUT high), rising reloads the count register
        if (!level) {
            ch->frozen = elapsed(ch, t);
            ch->running = false;
            break;
        }
        if (ch->pending) ch->count = ch->pending_count;
        ch->pending = false;
        ch->base = t;
        ch->running = true;
        break;
    default:  // modes 1, 5: a rising edge (re)triggers
        if (level) {
            ch->base = t;
            ch->running = true;
        }
        break;
    }
}

static void latch_count(struct i8254_channel *ch, u64 t)
{
    if (ch->latch_bytes) return;                  // a latched count is kept until read
    ch->latched = read_value(ch, t);
    ch->latch_bytes = ch->rw == I8254_RW_WORD ? 2 : 1;
    ch->latch_msb = ch->rw == I8254_RW_MSB;
}

static void latch_status(struct i8254_channel *ch, u64 t)
{
    if (ch->status_latched) return;
    bool null = !ch->loaded || ch->pending;
    ch->status = (u8)((out_at(ch, t) ? I8254_ST_OUT : 0) | (null ? I8254_ST_NULL : 0) |
                      ch->rw << 4 | ch->mode << 1 | ch->bcd);
    ch->status_latched = true;
}

// Port 0x43: control word, counter latch or read-back.
static void write_control(struct i8254 *pit, u8 v, u64 t)
{
    int sc = I8254_CW_SC(v);
    if (sc == 3) {
        for (int n = 0; n < 3; n++) {
            if (!(v & I8254_RB_CNT(n))) continue;
            if (!(v & I8254_RB_NOCOUNT)) latch_count(&pit->ch[n], t);
            if (!(v & I8254_RB_NOSTATUS)) latch_status(&pit->ch[n], t);
        }
        return;
    }
    struct i8254_channel *ch = &pit->ch[sc];
    if (I8254_CW_RW(v) == I8254_RW_LATCH) {
        latch_count(ch, t);
        return;
    }
    // A control word resets the counter: OUT to its initial level, waiting for a count.
    ch->mode = I8254_CW_MODE(v);
    ch->rw = I8254_CW_RW(v);
    ch->bcd = v & I8254_CW_BCD;
    ch->loaded = ch->running = ch->pending = false;
    ch->read_msb = ch->write_msb = 0;
    ch->latch_bytes = 0;
    ch->status_latched = false;
    if (sc == 0) pit->irq_next = UINT64_MAX;
}

static void write_counter(struct i8254 *pit, int n, u8 v, u64 t)
{
    struct i8254_channel *ch = &pit->ch[n];
    switch (ch->rw) {
    case I8254_RW_LSB: load_count(pit, n, v, t); return;
    case I8254_RW_MSB: load_count(pit, n, (u16)(v << 8), t); return;
    default:
        if (!ch->write_msb) {
            ch->write_lsb = v;
            ch->write_msb = 1;
            // Mode 0: the first byte stops the count and drops OUT until the second.
            if (mode_of(ch) == 0) {
                ch->loaded = ch->running = false;
                if (n == 0) pit->irq_next = UINT64_MAX;
            }
            return;
        }
        ch->write_msb = 0;
        load_count(pit, n, (u16)(ch->write_lsb | v << 8), t);
    }
}

static u8 read_counter(struct i8254_channel *ch, u64 t)
{
    if (ch->status_latched) {
        ch->status_latched = false;
        return ch->status;
    }
    if (ch->latch_bytes) {
        bool msb = ch->latch_msb;
        ch->latch_msb = true;
        ch->latch_bytes--;
        return (u8)(msb ? ch->latched >> 8 : ch->latched);
    }
    u16 v = read_value(ch, t);
    bool msb = ch->rw == I8254_RW_MSB;
    if (ch->rw == I8254_RW_WORD) {
        msb = ch->read_msb;
        ch->read_msb ^= 1;
    }
    return (u8)(msb ? v >> 8 : v);
}

static u32 i8254_io_in(void *dev, u16 port, int size)
{
    struct i8254 *pit = dev;
    u64 t = now_ticks(pit);
    if (port == I8254_PORT61) {
        return pit->port61 | (t / I8254_REFRESH_TICKS & 1 ? I8254_P61_REFRESH : 0) |
               (out_at(&pit->ch[2], t) ? I8254_P61_OUT2 : 0);
    }
    if (port == I8254_PORT + 3) return 0xff;   // the control word is write-only (3-state)
    return read_counter(&pit->ch[port - I8254_PORT], t);
}

static void i8254_io_out(void *dev, u16 port, int size, u32 val)
{
    struct i8254 *pit = dev;
    u64 t = now_ticks(pit);
    u8 v = (u8)val;
    if (port == I8254_PORT61) {
        pit->port61 = v & I8254_P61_RW;
        set_gate(&pit->ch[2], v & I8254_P61_GATE2, t);
    } else if (port == I8254_PORT + 3) {
        write_control(pit, v, t);
    } else {
        write_counter(pit, port - I8254_PORT, v, t);
    }
}

// Create the PIT: counters unprogrammed (mode 0, word access, no count), gate 2 low.
struct i8254 *i8254_create(const struct devenv *env)
{
    struct i8254 *pit = kzalloc(sizeof *pit);
    if (!pit) return NULL;
    pit->env = *env;
    for (int n = 0; n < 3; n++) {
        pit->ch[n].rw = I8254_RW_WORD;
        pit->ch[n].count = 0x10000;
        pit->ch[n].gate = n != 2;   // gates 0 and 1 are tied high on a PC
    }
    pit->irq_next = UINT64_MAX;
    return pit;
}

void i8254_destroy(struct i8254 *pit)
{
    kfree(pit);
}

// Claim 0x40-0x43 and 0x61.
bool i8254_attach(struct i8254 *pit, struct iobus *bus)
{
    return iobus_register(bus, I8254_PORT, 4, IOBUS_SZ8, i8254_io_in, i8254_io_out, pit,
                          "i8254") &&
           iobus_register(bus, I8254_PORT61, 1, IOBUS_SZ8, i8254_io_in, i8254_io_out, pit,
                          "port61");
}

// The earliest VM time (ns) at which IRQ 0 must be raised, or UINT64_MAX.
u64 i8254_next_event_ns(struct i8254 *pit)
{
    return pit->irq_next == UINT64_MAX ? UINT64_MAX : ticks_to_ns(pit->irq_next);
}

// Raise the IRQ 0 edge due by `now`: one edge however many were missed, then the next
// period boundary after `now` (the catch-up policy in i8254.h).
void i8254_tick(struct i8254 *pit, u64 now)
{
    u64 t = ns_to_ticks(now);
    if (pit->irq_next == UINT64_MAX || t < pit->irq_next) return;
    pit->env.set_irq(pit->env.ctx, I8254_IRQ, 1);
    pit->env.set_irq(pit->env.ctx, I8254_IRQ, 0);
    struct i8254_channel *ch = &pit->ch[0];
    int mode = mode_of(ch);
    sync(ch, t);
    if ((mode == 2 || mode == 3) && ch->running)
        pit->irq_next = ch->base + (elapsed(ch, t) / ch->count + 1) * ch->count;
    else
        pit->irq_next = UINT64_MAX;
}
