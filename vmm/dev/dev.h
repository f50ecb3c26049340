// dev.h — what a device model may ask of its VM: time, interrupt lines, console, reset.
//
// Device models are pure logic: they never touch hardware, so they are built and
// unit-tested on the host with a fake devenv. Port handlers get the access size in
// bytes (1, 2 or 4).
#pragma once
#include "kernel/types.h"

struct devenv {
    void *ctx;
    int vm_id;
    u64 (*now_ns)(void *ctx);                       // the VM's clock, nanoseconds
    void (*set_irq)(void *ctx, int irq, int level); // ISA line 0-15 to the PIC
    void (*console_out)(void *ctx, u8 ch);          // guest COM1 output byte
    void (*reset)(void *ctx, const char *why);      // the guest asked for a reset
};

typedef u32 (*io_in_fn)(void *dev, u16 port, int size);
typedef void (*io_out_fn)(void *dev, u16 port, int size, u32 val);
