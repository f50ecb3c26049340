// iobus.c — port dispatch for one VM: claimed ranges, byte splitting, floating ports.
#include "vmm/dev/iobus.h"
#include "vmm/dev/loglimit.h"
#include "kernel/heap.h"
#include "kernel/log.h"

// All ones in the low `size` bytes: what a floating bus returns.
static u32 ones(int size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

// Create an empty port space for VM `vm_id`; NULL when out of memory.
struct iobus *iobus_create(int vm_id)
{
    struct iobus *bus = kzalloc(sizeof *bus);
    if (bus) bus->vm_id = vm_id;
    return bus;
}

// Free a port space made by iobus_create (NULL is ignored).
void iobus_destroy(struct iobus *bus)
{
    kfree(bus);
}

// Claim ports [base, base+len) for `dev`; false (and a log line) if taken or full.
bool iobus_register(struct iobus *bus, u16 base, u16 len, u32 sizes,
                    io_in_fn in, io_out_fn out, void *dev, const char *name)
{
    if (len == 0 || (u32)base + len > 0x10000 || !(sizes & IOBUS_SZALL)) {
        if (loglimit_allow(bus->vm_id, LOGSRC_IO_REGISTER))
            log_err("vm=%d io register bad range port=0x%x len=%u dev=%s",
                    bus->vm_id, base, len, name);
        return false;
    }
    for (u32 p = base; p < (u32)base + len; p++) {
        if (bus->owner[p]) {
            if (loglimit_allow(bus->vm_id, LOGSRC_IO_REGISTER))
                log_err("vm=%d io register conflict port=0x%x dev=%s owner=%s", bus->vm_id,
                        (unsigned)p, name, bus->ranges[bus->owner[p] - 1].name);
            return false;
        }
    }
    for (int i = 0; i < IOBUS_MAX_RANGES; i++) {
        struct iobus_range *r = &bus->ranges[i];
        if (r->len) continue;
        *r = (struct iobus_range){ base, len, sizes, in, out, dev, name };
        for (u32 p = base; p < (u32)base + len; p++) bus->owner[p] = (u8)(i + 1);
        return true;
    }
    if (loglimit_allow(bus->vm_id, LOGSRC_IO_REGISTER))
        log_err("vm=%d io register full port=0x%x dev=%s", bus->vm_id, base, name);
    return false;
}

// Release the range that starts at `base`; logs if there is none.
void iobus_unregister(struct iobus *bus, u16 base)
{
    int idx = bus->owner[base];
    struct iobus_range *r = idx ? &bus->ranges[idx - 1] : NULL;
    if (!r || r->base != base) {
        if (loglimit_allow(bus->vm_id, LOGSRC_IO_REGISTER))
            log_err("vm=%d io unregister port=0x%x: no range starts there", bus->vm_id, base);
        return;
    }
    for (u32 p = base; p < (u32)base + r->len; p++) bus->owner[p] = 0;
    r->len = 0;
}

// Log an unclaimed port (or a byte access to a device that takes no bytes) once per port,
// and within the VM's bound for the source.
static void unhandled(struct iobus *bus, u16 port, const char *dir, int size)
{
    if (bus->warned[port / 8] & (1u << (port % 8))) return;
    bus->warned[port / 8] |= (u8)(1u << (port % 8));
    if (!loglimit_allow(bus->vm_id, LOGSRC_IO_UNHANDLED)) return;
    int idx = bus->owner[port];
    if (idx)
        log_warn("vm=%d io unhandled port=0x%x dir=%s size=%d dev=%s takes no such size",
                 bus->vm_id, port, dir, size, bus->ranges[idx - 1].name);
    else
        log_warn("vm=%d io unhandled port=0x%x dir=%s size=%d", bus->vm_id, port, dir, size);
}

// The range that decodes the whole access [port, port+size) at this size, or NULL.
static struct iobus_range *whole(struct iobus *bus, u16 port, int size)
{
    int idx = bus->owner[port];
    if (!idx) return NULL;
    struct iobus_range *r = &bus->ranges[idx - 1];
    if (!(r->sizes & (1u << size))) return NULL;
    if ((u32)port + size > (u32)r->base + r->len) return NULL;
    return r;
}

// True when splitting [port, port+size) into bytes cannot reach a handler: no byte is
// claimed, or it is a single byte already.
static bool undecoded(struct iobus *bus, u16 port, int size)
{
    if (size == 1) return true;
    for (int i = 0; i < size; i++)
        if (bus->owner[(u16)(port + i)]) return false;
    return true;
}

// Read `size` (1, 2 or 4) bytes from `port`.
u32 iobus_in(struct iobus *bus, u16 port, int size)
{
    struct iobus_range *r = whole(bus, port, size);
    if (r) return r->in(r->dev, port, size) & ones(size);
    if (undecoded(bus, port, size)) {
        unhandled(bus, port, "in", size);
        return ones(size);
    }
    u32 v = 0;
    for (int i = 0; i < size; i++) v |= iobus_in(bus, (u16)(port + i), 1) << (8 * i);
    return v;
}

// Write the low `size` (1, 2 or 4) bytes of `val` to `port`.
void iobus_out(struct iobus *bus, u16 port, int size, u32 val)
{
    struct iobus_range *r = whole(bus, port, size);
    if (r) {
        r->out(r->dev, port, size, val & ones(size));
        return;
    }
    if (undecoded(bus, port, size)) {
        unhandled(bus, port, "out", size);
        return;
    }
    for (int i = 0; i < size; i++) iobus_out(bus, (u16)(port + i), 1, (val >> (8 * i)) & 0xff);
}
