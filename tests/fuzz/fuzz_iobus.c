// fuzz_iobus.c — fuzz the port dispatcher (vmm/dev/iobus.c) with probe devices.
//
// Input: a program of operations on one iobus: register a range (base, length, size
// mask) for one of a few probe devices, unregister at a base, and reads and writes of
// size 1, 2 or 4 at any port. A probe device records each access it gets. Checks: a
// handler only sees ports inside the range it registered and sizes it accepts, the
// whole access inside that range; a write passes no bits beyond its size; a read
// returns no bits beyond its size; a port nobody claims reads as all ones; and the
// ownership table matches the ranges after every step.
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/iobus.h"
#include <string.h>

#define NPROBES 8
#define MAX_OPS 2048

// A probe device: what it registered (one range at a time, as the models do).
struct probe {
    bool live;
    u16 base, len;
    u32 sizes;
    u32 reads, writes;
};

static struct probe probes[NPROBES];
static struct iobus *bus;

// The access [port, port+size) must be a whole access inside the probe's range.
static void check_access(struct probe *p, u16 port, int size)
{
    FUZZ_CHECK(p->live);
    FUZZ_CHECK(size == 1 || size == 2 || size == 4);
    FUZZ_CHECK(p->sizes & (1u << size));
    FUZZ_CHECK(port >= p->base && (u32)port + size <= (u32)p->base + p->len);
}

// The value a probe returns: deliberately dirty in the high bits.
static u32 probe_in(void *dev, u16 port, int size)
{
    struct probe *p = dev;
    check_access(p, port, size);
    p->reads++;
    return 0xA5A5A500u | port;
}

// A probe write: the access must be whole and carry no bits beyond its size.
static void probe_out(void *dev, u16 port, int size, u32 val)
{
    struct probe *p = dev;
    check_access(p, port, size);
    FUZZ_CHECK(size == 4 || val >> (8 * size) == 0);
    p->writes++;
}

// Ownership: the table's ranges are the probes' ranges and own their ports; with `full`
// also each claimed port's owner is a live range covering it (a walk of all 64K ports).
// Not traced for coverage: it is the harness's check, not code under test.
__attribute__((no_sanitize_coverage)) static void check_table(bool full)
{
    for (u32 port = 0; full && port < 0x10000; port++) {
        int idx = bus->owner[port];
        if (!idx) continue;
        const struct iobus_range *r = &bus->ranges[idx - 1];
        FUZZ_CHECK(r->len && port >= r->base && port < (u32)r->base + r->len);
    }
    for (int i = 0; i < IOBUS_MAX_RANGES; i++) {
        const struct iobus_range *r = &bus->ranges[i];
        if (!r->len) continue;
        struct probe *p = r->dev;
        FUZZ_CHECK(p >= probes && p < probes + NPROBES && p->live);
        FUZZ_CHECK(p->base == r->base && p->len == r->len);
        for (u32 port = r->base; port < (u32)r->base + r->len; port++)
            FUZZ_CHECK(bus->owner[port] == i + 1);
    }
}

// Operation kinds: the low 2 bits of the first byte.
enum { OP_REGISTER, OP_UNREGISTER, OP_IN, OP_OUT };

// See fuzz.h: run the program on a fresh bus, checking the table after every step.
void fuzz_one(const unsigned char *data, unsigned long len)
{
    static const int sizes[4] = { 1, 2, 4, 1 };
    struct fuzz_reader r = { data, len, 0 };
    memset(probes, 0, sizeof probes);
    bus = iobus_create(0);
    FUZZ_CHECK(bus);
    for (int ops = 0; r.pos < r.len && ops < MAX_OPS; ops++) {
        u8 op = (u8)fuzz_take(&r, 1);
        int size = sizes[(op >> 2) & 3];
        switch (op & 3) {
        case OP_REGISTER: {
            struct probe *p = &probes[(op >> 4) % NPROBES];
            u16 base = (u16)fuzz_take(&r, 2);
            u16 n = (u16)(fuzz_take(&r, 1) % 20);
            u32 sz = fuzz_take(&r, 1) & 0x1f;
            if (op & 0x80) base = (u16)(0xfff0 + base % 16);     // near the top
            bool ok = !p->live && iobus_register(bus, base, n, sz, probe_in, probe_out, p, "probe");
            if (ok) *p = (struct probe){ true, base, n, sz, 0, 0 };
            break;
        }
        case OP_UNREGISTER: {
            struct probe *p = &probes[(op >> 4) % NPROBES];
            u16 base = (op & 0x80) || !p->live ? (u16)fuzz_take(&r, 2) : p->base;
            iobus_unregister(bus, base);
            if (p->live && base == p->base) p->live = false;
            for (int i = 0; i < NPROBES; i++)
                if (probes[i].live && probes[i].base == base) probes[i].live = false;
            break;
        }
        case OP_IN: {
            u16 port = (u16)fuzz_take(&r, 2);
            bool claimed = false;
            for (int i = 0; i < size; i++) claimed |= bus->owner[(u16)(port + i)] != 0;
            u32 v = iobus_in(bus, port, size);
            FUZZ_CHECK(size == 4 || v >> (8 * size) == 0);
            if (!claimed) FUZZ_CHECK(v == (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1));
            break;
        }
        default:
            iobus_out(bus, (u16)fuzz_take(&r, 2), size, fuzz_take(&r, 4));
            break;
        }
        check_table(false);
    }
    check_table(true);
    iobus_destroy(bus);
}

// Seed: two probes side by side (byte-only and dword-only), touched in every size,
// across the boundary, and after one is unregistered; a range at the top of port space.
void fuzz_init(void)
{
    // Register two probes side by side (byte-only and dword-only), touch them in every
    // size, straddle the boundary, unregister one and touch the hole.
    static const u8 seed[] = {
        OP_REGISTER | 0x00, 0x00, 0x10, 8, 0x02,
        OP_REGISTER | 0x10, 0x08, 0x10, 8, 0x10,
        OP_IN | 0x0, 0x00, 0x10, OP_IN | 0x4, 0x06, 0x10, OP_IN | 0x8, 0x06, 0x10,
        OP_IN | 0x8, 0x08, 0x10, OP_OUT | 0x8, 0x07, 0x10, 0x11, 0x22, 0x33, 0x44,
        OP_UNREGISTER | 0x10, OP_IN | 0x8, 0x08, 0x10,
        OP_REGISTER | 0xa0, 0x0c, 0x00, 16, 0x16, OP_IN | 0x8, 0xfe, 0xff,
    };
    fuzz_add_seed(seed, sizeof seed);
}
