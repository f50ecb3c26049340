// fake_devenv.h — a devenv for device-model tests: settable clock, IRQ history, console.
#pragma once
#include "vmm/dev/dev.h"
#include <string.h>

#define FAKE_MAX_EVENTS 4096

struct fake_irq_event { int irq, level; u64 ns; };

struct fake {
    struct devenv env;
    u64 now;                                  // the clock the models read
    int line[16];                             // current level of each ISA line
    int rises[16];                            // 0 -> 1 transitions seen per line
    struct fake_irq_event ev[FAKE_MAX_EVENTS];
    int nev;
    char out[8192];                           // console bytes
    int nout;
    int resets;
    const char *reset_why;
};

static u64 fake_now(void *ctx) { return ((struct fake *)ctx)->now; }

static void fake_set_irq(void *ctx, int irq, int level)
{
    struct fake *f = ctx;
    if (level && !f->line[irq]) f->rises[irq]++;
    f->line[irq] = level;
    if (f->nev < FAKE_MAX_EVENTS) f->ev[f->nev++] = (struct fake_irq_event){ irq, level, f->now };
}

static void fake_console(void *ctx, u8 ch)
{
    struct fake *f = ctx;
    if (f->nout < (int)sizeof f->out - 1) f->out[f->nout++] = (char)ch;
}

static void fake_reset(void *ctx, const char *why)
{
    struct fake *f = ctx;
    f->resets++;
    f->reset_why = why;
}

// Reset `f` to time zero with all lines low, and wire its devenv.
static inline void fake_init(struct fake *f)
{
    memset(f, 0, sizeof *f);
    f->env = (struct devenv){ f, 0, fake_now, fake_set_irq, fake_console, fake_reset };
}
