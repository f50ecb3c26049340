// sysports.c — port 0x80 (delay, ignored) and port 0x92 (fast A20, fast reset).
#include "vmm/dev/sysports.h"
#include "kernel/heap.h"

static u32 sysports_io_in(void *dev, u16 port, int size)
{
    struct sysports *sp = dev;
    if (port == SYSPORTS_POST_PORT) return 0xff;   // nothing drives it: floating
    return sp->port92;
}

static void sysports_io_out(void *dev, u16 port, int size, u32 val)
{
    struct sysports *sp = dev;
    if (port == SYSPORTS_POST_PORT) return;        // a POST code / delay: dropped
    sp->port92 = (u8)val & SYSPORTS_A_RW;
    if (val & SYSPORTS_A_RESET) sp->env.reset(sp->env.ctx, "port92");
}

struct sysports *sysports_create(const struct devenv *env)
{
    struct sysports *sp = kzalloc(sizeof *sp);
    if (!sp) return NULL;
    sp->env = *env;
    sp->port92 = SYSPORTS_A_A20;
    return sp;
}

void sysports_destroy(struct sysports *sp)
{
    kfree(sp);
}

// Claim 0x80 and 0x92.
bool sysports_attach(struct sysports *sp, struct iobus *bus)
{
    return iobus_register(bus, SYSPORTS_POST_PORT, 1, IOBUS_SZ8, sysports_io_in,
                          sysports_io_out, sp, "post") &&
           iobus_register(bus, SYSPORTS_A_PORT, 1, IOBUS_SZ8, sysports_io_in,
                          sysports_io_out, sp, "port92");
}
