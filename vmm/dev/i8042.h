// i8042.h — the 8042 keyboard controller with nothing plugged into its ports.
//
// Data 0x60, status/command 0x64. What guests use it for here: the A20 gate (output
// port bit 1, ENABLED from the start: the 2.4 decompressor loops forever without it),
// reset (pulse 0xfe, or the output port's reset bit written 0), the controller's own
// tests and command byte. A byte sent to the keyboard or the mouse finds no device: the
// controller answers 0xfe with the timeout status bit, as a real one does after its
// ~15 ms wait, so PS/2 probes fail fast instead of waiting for their own timeouts.
// Output-buffer bytes raise IRQ 1 (keyboard side) or IRQ 12 (aux side) while the
// command byte enables them and the byte is unread.
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT  0x64
#define I8042_KBD_IRQ   1
#define I8042_AUX_IRQ   12

// Status register
#define I8042_STR_OBF     0x01
#define I8042_STR_IBF     0x02
#define I8042_STR_SYS     0x04   // system flag: POST passed
#define I8042_STR_CMD     0x08   // last write was to the command port
#define I8042_STR_KEYLOCK 0x10   // 1 = keyboard not inhibited
#define I8042_STR_AUXDATA 0x20   // the output byte comes from the aux port
#define I8042_STR_TIMEOUT 0x40
// Command byte (controller RAM 0)
#define I8042_CTR_KBDINT  0x01
#define I8042_CTR_AUXINT  0x02
#define I8042_CTR_SYS     0x04
#define I8042_CTR_KBDDIS  0x10
#define I8042_CTR_AUXDIS  0x20
#define I8042_CTR_XLATE   0x40
// Output port
#define I8042_OUT_RESET   0x01   // 0 holds the CPU in reset
#define I8042_OUT_A20     0x02
#define I8042_OUT_KBD_OBF 0x10   // IRQ 1 line
#define I8042_OUT_AUX_OBF 0x20   // IRQ 12 line
// Controller commands
#define I8042_CMD_READ_CTR   0x20   // 0x21-0x3f read controller RAM
#define I8042_CMD_WRITE_CTR  0x60   // 0x61-0x7f write controller RAM
#define I8042_CMD_AUX_DIS    0xa7
#define I8042_CMD_AUX_EN     0xa8
#define I8042_CMD_AUX_TEST   0xa9
#define I8042_CMD_SELF_TEST  0xaa
#define I8042_CMD_KBD_TEST   0xab
#define I8042_CMD_KBD_DIS    0xad
#define I8042_CMD_KBD_EN     0xae
#define I8042_CMD_READ_OUT   0xd0
#define I8042_CMD_WRITE_OUT  0xd1
#define I8042_CMD_KBD_LOOP   0xd2   // next data byte comes back as keyboard data
#define I8042_CMD_AUX_LOOP   0xd3   // next data byte comes back as aux data
#define I8042_CMD_AUX_SEND   0xd4   // next data byte goes to the aux device
#define I8042_CMD_A20_OFF    0xdd
#define I8042_CMD_A20_ON     0xdf
#define I8042_CMD_PULSE      0xf0   // 0xf0-0xff: pulse output bits whose mask bit is 0
#define I8042_SELF_TEST_OK   0x55
#define I8042_NO_DEVICE      0xfe   // answer to a byte no device clocked in

struct i8042 {
    struct devenv env;
    u8 ram[32];                 // [0] is the command byte
    u8 outport;
    u8 status;                  // CMD, TIMEOUT, SYS, KEYLOCK (OBF/AUXDATA derived)
    u8 obuf;
    bool obf, obuf_aux;
    u8 pending_cmd;             // a command waiting for its data byte, or 0
    bool kbd_irq, aux_irq;      // line levels we drive
    u8 cmd_logged[256 / 8];     // unhandled commands already logged (once each per VM)
};

// Create the controller as firmware leaves it: self-tested, A20 on, interrupts on.
struct i8042 *i8042_create(const struct devenv *env);
void i8042_destroy(struct i8042 *kbc);
// Claim 0x60 and 0x64 on `bus`.
bool i8042_attach(struct i8042 *kbc, struct iobus *bus);
