// iobus.h — a VM's I/O port space: port ranges claimed by device models, dispatch by size.
//
// A device registers a range of ports with its in/out handlers and the access sizes
// (1, 2, 4 bytes) it decodes itself. An access of another size, or one that straddles
// ranges, is split into byte accesses, as an ISA bus splits a wide cycle to an 8-bit
// device. A port nobody claims reads as all ones and ignores writes (a floating ISA
// bus), and is logged once per port per VM; so is a byte access to a device that takes
// no bytes (a dword-only register).
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"

#define IOBUS_MAX_RANGES 64

// Access-size masks for iobus_register: bit N set means the handler takes N-byte accesses.
#define IOBUS_SZ8   (1u << 1)
#define IOBUS_SZ16  (1u << 2)
#define IOBUS_SZ32  (1u << 4)
#define IOBUS_SZALL (IOBUS_SZ8 | IOBUS_SZ16 | IOBUS_SZ32)

struct iobus_range {
    u16 base;
    u16 len;             // 0 marks a free slot
    u32 sizes;           // IOBUS_SZ* mask
    io_in_fn in;
    io_out_fn out;
    void *dev;
    const char *name;
};

struct iobus {
    int vm_id;
    struct iobus_range ranges[IOBUS_MAX_RANGES];
    u8 owner[65536];         // range index + 1 per port, 0 = unclaimed
    u8 warned[65536 / 8];    // ports already logged as unhandled
};

// Create an empty port space for VM `vm_id`; NULL when out of memory.
struct iobus *iobus_create(int vm_id);
// Free a port space made by iobus_create (NULL is ignored).
void iobus_destroy(struct iobus *bus);
// Claim ports [base, base+len) for `dev`; false (and a log line) if any is taken or
// no slot is free.
bool iobus_register(struct iobus *bus, u16 base, u16 len, u32 sizes,
                    io_in_fn in, io_out_fn out, void *dev, const char *name);
// Release the range that starts at `base` (a BAR that moved); logs if there is none.
void iobus_unregister(struct iobus *bus, u16 base);
// Read `size` (1, 2 or 4) bytes from `port`.
u32 iobus_in(struct iobus *bus, u16 port, int size);
// Write the low `size` (1, 2 or 4) bytes of `val` to `port`.
void iobus_out(struct iobus *bus, u16 port, int size, u32 val);
