// mc146818.c — the RTC: a clock derived from VM time, the update cycle, IRQ 8, CMOS RAM.
#include "vmm/dev/mc146818.h"
#include "kernel/heap.h"
#include "kernel/log.h"

#define NS_PER_S   1000000000LL
#define RTC_HZ     32768LL          // the divider's input; every periodic rate divides it
#define SECS_DAY   86400LL

static u64 now_ns(struct mc146818 *rtc)
{
    return rtc->env.now_ns(rtc->env.ctx);
}

static bool running(const struct mc146818 *rtc)
{
    return (rtc->cmos[MC146818_REG_A] & MC146818_A_DV) == MC146818_A_DV_RUN;
}

static bool updating(const struct mc146818 *rtc)
{
    return running(rtc) && !(rtc->cmos[MC146818_REG_B] & MC146818_B_SET);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
static s64 days_from_civil(s64 y, s64 m, s64 d)
{
    y -= m <= 2;
    s64 era = (y >= 0 ? y : y - 399) / 400;
    s64 yoe = y - era * 400;
    s64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    s64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// The date of day `z` since 1970-01-01.
static void civil_from_days(s64 z, s64 *y, s64 *m, s64 *d)
{
    z += 719468;
    s64 era = (z >= 0 ? z : z - 146096) / 146097;
    s64 doe = z - era * 146097;
    s64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    s64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    s64 mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

// A value as the registers hold it: BCD unless REG_B.DM says binary.
static u8 enc(const struct mc146818 *rtc, int v)
{
    if (rtc->cmos[MC146818_REG_B] & MC146818_B_DM) return (u8)v;
    return (u8)((v / 10) << 4 | v % 10);
}

static int dec(const struct mc146818 *rtc, u8 v)
{
    if (rtc->cmos[MC146818_REG_B] & MC146818_B_DM) return v;
    return (v >> 4) * 10 + (v & 15);
}

// An hour of 0-23 as the register holds it (12-hour mode: 1-12, bit 7 = PM).
static u8 enc_hour(const struct mc146818 *rtc, int h)
{
    if (rtc->cmos[MC146818_REG_B] & MC146818_B_24H) return enc(rtc, h);
    int h12 = h % 12 ? h % 12 : 12;
    return (u8)(enc(rtc, h12) | (h >= 12 ? MC146818_HOUR_PM : 0));
}

static int dec_hour(const struct mc146818 *rtc, u8 v)
{
    if (rtc->cmos[MC146818_REG_B] & MC146818_B_24H) return dec(rtc, v);
    int h = dec(rtc, v & ~MC146818_HOUR_PM) % 12;
    return h + (v & MC146818_HOUR_PM ? 12 : 0);
}

// a mod b in [0, b) for b > 0, whatever a's sign (C's % keeps the sign of a).
static s64 floor_mod(s64 a, s64 b)
{
    s64 r = a % b;
    return r < 0 ? r + b : r;
}

// Write second `s` (since 1970) into the time and century registers. A guest may set
// any date, 1969 or year 0 included: negative seconds still give in-range fields.
static void show(struct mc146818 *rtc, s64 s)
{
    s64 rem = floor_mod(s, SECS_DAY), days = (s - rem) / SECS_DAY, y, m, d;
    civil_from_days(days, &y, &m, &d);
    u8 *c = rtc->cmos;
    c[MC146818_SEC] = enc(rtc, (int)(rem % 60));
    c[MC146818_MIN] = enc(rtc, (int)(rem / 60 % 60));
    c[MC146818_HOUR] = enc_hour(rtc, (int)(rem / 3600));
    c[MC146818_WDAY] = enc(rtc, (int)(floor_mod(days + 4, 7) + 1));   // 1970-01-01: Thursday
    c[MC146818_MDAY] = enc(rtc, (int)d);
    c[MC146818_MONTH] = enc(rtc, (int)m);
    c[MC146818_YEAR] = enc(rtc, (int)floor_mod(y, 100));
    c[MC146818_CENTURY] = enc(rtc, (int)floor_mod((y - floor_mod(y, 100)) / 100, 100));
    rtc->shown_sec = s;
}

// The second (since 1970) the time registers describe.
static s64 regs_time(const struct mc146818 *rtc)
{
    const u8 *c = rtc->cmos;
    s64 y = dec(rtc, c[MC146818_CENTURY]) * 100 + dec(rtc, c[MC146818_YEAR]);
    s64 days = days_from_civil(y, dec(rtc, c[MC146818_MONTH]), dec(rtc, c[MC146818_MDAY]));
    return days * SECS_DAY + dec_hour(rtc, c[MC146818_HOUR]) * 3600 +
           dec(rtc, c[MC146818_MIN]) * 60 + dec(rtc, c[MC146818_SEC]);
}

// Nanoseconds into the current second's divider phase.
static s64 since_base(struct mc146818 *rtc, u64 now)
{
    return (s64)now - rtc->base_ns;
}

// The clock continues from the registers, keeping the divider's phase.
static void restart_from_regs(struct mc146818 *rtc, u64 now)
{
    s64 t = regs_time(rtc);
    rtc->base_sec = t - since_base(rtc, now) / NS_PER_S;
    rtc->shown_sec = t;
}

// Periodic interrupt period in 32.768 kHz ticks, or 0 when off.
static s64 pf_period(const struct mc146818 *rtc)
{
    int rs = rtc->cmos[MC146818_REG_A] & MC146818_A_RS;
    if (!rs) return 0;
    if (rs <= 2) rs += 7;   // rates 1 and 2 repeat 8 and 9 with a 32.768 kHz timebase
    return 1LL << (rs - 1);
}

// Periodic boundaries passed since the divider phase began.
static u64 pf_boundaries(struct mc146818 *rtc, u64 now)
{
    s64 e = since_base(rtc, now);
    s64 ticks = e / NS_PER_S * RTC_HZ + e % NS_PER_S * RTC_HZ / NS_PER_S;
    return (u64)(ticks / pf_period(rtc));
}

// IRQF and the line follow the flags that are enabled.
static void update_irq(struct mc146818 *rtc)
{
    u8 *c = rtc->cmos;
    bool on = c[MC146818_REG_C] & c[MC146818_REG_B] &
              (MC146818_C_PF | MC146818_C_AF | MC146818_C_UF);
    if (on) c[MC146818_REG_C] |= MC146818_C_IRQF;
    if (on == rtc->irq_level) return;
    rtc->irq_level = on;
    rtc->env.set_irq(rtc->env.ctx, MC146818_IRQ, on);
}

static bool alarm_field(u8 alarm, u8 value)
{
    return (alarm & MC146818_ALARM_ANY) == MC146818_ALARM_ANY || alarm == value;
}

// Run the update cycles and periodic boundaries that fell before `now`.
static void sync(struct mc146818 *rtc, u64 now)
{
    u8 *c = rtc->cmos;
    if (running(rtc) && pf_period(rtc)) {
        u64 k = pf_boundaries(rtc, now);
        if (k > rtc->pf_index) c[MC146818_REG_C] |= MC146818_C_PF;
        rtc->pf_index = k;
    }
    if (updating(rtc)) {
        s64 cur = rtc->base_sec + since_base(rtc, now) / NS_PER_S;
        if (cur > rtc->shown_sec) {
            // Each update compares the alarm; a day covers every alarm pattern.
            s64 from = MAX(rtc->shown_sec + 1, cur - SECS_DAY + 1);
            for (s64 s = from; s <= cur && !(c[MC146818_REG_C] & MC146818_C_AF); s++) {
                show(rtc, s);
                if (alarm_field(c[MC146818_SEC_ALARM], c[MC146818_SEC]) &&
                    alarm_field(c[MC146818_MIN_ALARM], c[MC146818_MIN]) &&
                    alarm_field(c[MC146818_HOUR_ALARM], c[MC146818_HOUR]))
                    c[MC146818_REG_C] |= MC146818_C_AF;
            }
            show(rtc, cur);
            c[MC146818_REG_C] |= MC146818_C_UF;
        }
    }
    update_irq(rtc);
}

// True the first time for `what` (MC146818_LOGGED_*): its line is logged once per VM.
static bool first_time(struct mc146818 *rtc, u8 what)
{
    bool first = !(rtc->logged & what);
    rtc->logged |= what;
    return first;
}

// REG_A: divider stop/restart (first update 500 ms after a restart) and the rate.
static void write_a(struct mc146818 *rtc, u8 v, u64 now)
{
    bool was = running(rtc);
    u8 dv = v & MC146818_A_DV;
    if (dv != MC146818_A_DV_RUN && dv < 0x60 && first_time(rtc, MC146818_LOGGED_DIVIDER))
        log_warn("vm=%d mc146818 divider 0x%x unsupported (32.768 kHz only): clock stopped",
                 rtc->env.vm_id, dv);
    rtc->cmos[MC146818_REG_A] = v & ~MC146818_A_UIP;
    if (!was && running(rtc)) {
        rtc->base_ns = (s64)now - NS_PER_S / 2;
        rtc->base_sec = regs_time(rtc);
        rtc->shown_sec = rtc->base_sec;
    }
    if (running(rtc) && pf_period(rtc)) rtc->pf_index = pf_boundaries(rtc, now);
}

// REG_B: SET freezes the registers (and clears UIE); clearing it restarts the clock
// from them. Mode bits take effect at the next update, as on the chip.
static void write_b(struct mc146818 *rtc, u8 v, u64 now)
{
    bool was_set = rtc->cmos[MC146818_REG_B] & MC146818_B_SET;
    if (v & MC146818_B_SET) v &= ~MC146818_B_UIE;
    if ((v & MC146818_B_DSE) && first_time(rtc, MC146818_LOGGED_DSE))
        log_warn("vm=%d mc146818 daylight saving (REG_B.DSE) not modeled", rtc->env.vm_id);
    rtc->cmos[MC146818_REG_B] = v;
    if (was_set && !(v & MC146818_B_SET) && running(rtc)) restart_from_regs(rtc, now);
}

static u32 mc146818_io_in(void *dev, u16 port, int size)
{
    struct mc146818 *rtc = dev;
    if (port == MC146818_PORT) return 0xff;   // the index register is write-only
    u64 now = now_ns(rtc);
    sync(rtc, now);
    u8 *c = rtc->cmos;
    switch (rtc->index) {
    case MC146818_REG_A: {
        bool uip = updating(rtc) &&
                   since_base(rtc, now) % NS_PER_S >= NS_PER_S - (s64)MC146818_UIP_NS;
        return c[MC146818_REG_A] | (uip ? MC146818_A_UIP : 0);
    }
    case MC146818_REG_C: {
        u8 v = c[MC146818_REG_C];
        c[MC146818_REG_C] = 0;
        update_irq(rtc);
        return v;
    }
    case MC146818_REG_D:
        return MC146818_D_VRT;
    default:
        return c[rtc->index];
    }
}

static void mc146818_io_out(void *dev, u16 port, int size, u32 val)
{
    struct mc146818 *rtc = dev;
    u8 v = (u8)val;
    if (port == MC146818_PORT) {
        rtc->index = v & 0x7f;                 // bit 7 masks NMI: there is no NMI source
        return;
    }
    u64 now = now_ns(rtc);
    sync(rtc, now);
    switch (rtc->index) {
    case MC146818_REG_A:
        write_a(rtc, v, now);
        break;
    case MC146818_REG_B:
        write_b(rtc, v, now);
        break;
    case MC146818_REG_C:
    case MC146818_REG_D:
        if (first_time(rtc, MC146818_LOGGED_READONLY))
            log_warn("vm=%d mc146818 write to read-only register 0x%x val=0x%x "
                     "(further ones not logged)", rtc->env.vm_id, rtc->index, v);
        return;
    case MC146818_SEC: case MC146818_MIN: case MC146818_HOUR: case MC146818_WDAY:
    case MC146818_MDAY: case MC146818_MONTH: case MC146818_YEAR: case MC146818_CENTURY:
        rtc->cmos[rtc->index] = v;
        // A running clock counts on from the new time; frozen, it waits for SET to clear.
        if (updating(rtc)) restart_from_regs(rtc, now);
        break;
    default:
        rtc->cmos[rtc->index] = v;
        break;
    }
    update_irq(rtc);
}

// Store a 16-bit little-endian CMOS value capped at 0xffff.
static void put16(u8 *c, int reg, u64 v)
{
    if (v > 0xffff) v = 0xffff;
    c[reg] = (u8)v;
    c[reg + 1] = (u8)(v >> 8);
}

// Create the RTC running at `epoch_s` in BCD 24-hour mode, sizes from `ram_bytes`.
struct mc146818 *mc146818_create(const struct devenv *env, u64 epoch_s, u64 ram_bytes)
{
    struct mc146818 *rtc = kzalloc(sizeof *rtc);
    if (!rtc) return NULL;
    rtc->env = *env;
    u8 *c = rtc->cmos;
    c[MC146818_REG_A] = MC146818_A_DV_RUN | 6;   // 32.768 kHz, 1024 Hz: what a BIOS sets
    c[MC146818_REG_B] = MC146818_B_24H;
    rtc->base_ns = (s64)now_ns(rtc);
    rtc->base_sec = (s64)epoch_s;
    show(rtc, rtc->base_sec);
    rtc->pf_index = pf_boundaries(rtc, (u64)rtc->base_ns);
    put16(c, MC146818_BASE_LO, 640);
    u64 ext = ram_bytes > (1 << 20) ? (ram_bytes - (1 << 20)) >> 10 : 0;
    put16(c, MC146818_EXT_LO, ext);
    put16(c, MC146818_EXT2_LO, ext);
    put16(c, MC146818_HIGH_LO, ram_bytes > (16 << 20) ? (ram_bytes - (16 << 20)) >> 16 : 0);
    unsigned sum = 0;
    for (int i = MC146818_FLOPPY; i < MC146818_CSUM_HI; i++) sum += c[i];
    c[MC146818_CSUM_HI] = (u8)(sum >> 8);
    c[MC146818_CSUM_HI + 1] = (u8)sum;
    return rtc;
}

void mc146818_destroy(struct mc146818 *rtc)
{
    kfree(rtc);
}

// Claim 0x70-0x71.
bool mc146818_attach(struct mc146818 *rtc, struct iobus *bus)
{
    return iobus_register(bus, MC146818_PORT, 2, IOBUS_SZ8, mc146818_io_in, mc146818_io_out,
                          rtc, "mc146818");
}

// VM time of 32.768 kHz tick `k` after the divider phase origin (ceiling).
static s64 tick32_ns(struct mc146818 *rtc, u64 k)
{
    return rtc->base_ns + (s64)(k / RTC_HZ) * NS_PER_S +
           ((s64)(k % RTC_HZ) * NS_PER_S + RTC_HZ - 1) / RTC_HZ;
}

// The earliest VM time (ns) at which IRQ 8 must be raised, or UINT64_MAX.
u64 mc146818_next_event_ns(struct mc146818 *rtc)
{
    const u8 *c = rtc->cmos;
    u8 b = c[MC146818_REG_B];
    if (rtc->irq_level || !running(rtc)) return UINT64_MAX;   // the line is already up
    s64 next = INT64_MAX;
    if ((b & MC146818_B_PIE) && pf_period(rtc))
        next = tick32_ns(rtc, (rtc->pf_index + 1) * (u64)pf_period(rtc));
    if ((b & (MC146818_B_UIE | MC146818_B_AIE)) && !(b & MC146818_B_SET))
        next = MIN(next, rtc->base_ns + (rtc->shown_sec - rtc->base_sec + 1) * NS_PER_S);
    if (next == INT64_MAX) return UINT64_MAX;
    return next < 0 ? 0 : (u64)next;
}

// Bring the clock and flags up to `now`, raising IRQ 8 if an enabled flag got set.
void mc146818_tick(struct mc146818 *rtc, u64 now)
{
    sync(rtc, now);
}
