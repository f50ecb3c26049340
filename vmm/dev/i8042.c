// i8042.c — the keyboard controller: command byte, self tests, A20, reset, no devices.
#include "vmm/dev/i8042.h"
#include "kernel/heap.h"
#include "kernel/log.h"

// Drive IRQ 1 / IRQ 12 from the output buffer and the command byte's enables.
static void update_irq(struct i8042 *k)
{
    bool kbd = k->obf && !k->obuf_aux && (k->ram[0] & I8042_CTR_KBDINT);
    bool aux = k->obf && k->obuf_aux && (k->ram[0] & I8042_CTR_AUXINT);
    if (kbd != k->kbd_irq) k->env.set_irq(k->env.ctx, I8042_KBD_IRQ, kbd);
    if (aux != k->aux_irq) k->env.set_irq(k->env.ctx, I8042_AUX_IRQ, aux);
    k->kbd_irq = kbd;
    k->aux_irq = aux;
}

// Put a byte in the output buffer (the 8042 has one: a newer byte replaces it).
static void output(struct i8042 *k, u8 v, bool aux, bool timeout)
{
    k->obuf = v;
    k->obf = true;
    k->obuf_aux = aux;
    if (timeout) k->status |= I8042_STR_TIMEOUT; else k->status &= ~I8042_STR_TIMEOUT;
    update_irq(k);
}

static void reset_vm(struct i8042 *k)
{
    k->env.reset(k->env.ctx, "i8042");
}

static void write_outport(struct i8042 *k, u8 v)
{
    k->outport = v;
    if (!(v & I8042_OUT_RESET)) reset_vm(k);
}

// A command written to port 0x64.
static void command(struct i8042 *k, u8 cmd)
{
    k->pending_cmd = 0;
    if (cmd >= I8042_CMD_READ_CTR && cmd < I8042_CMD_READ_CTR + 0x20) {
        output(k, k->ram[cmd & 0x1f], false, false);
        return;
    }
    if (cmd >= I8042_CMD_PULSE) {
        if (!(cmd & I8042_OUT_RESET)) reset_vm(k);   // 0xfe pulses the reset line
        return;
    }
    switch (cmd) {
    case I8042_CMD_AUX_DIS: k->ram[0] |= I8042_CTR_AUXDIS; break;
    case I8042_CMD_AUX_EN:  k->ram[0] &= ~I8042_CTR_AUXDIS; break;
    case I8042_CMD_KBD_DIS: k->ram[0] |= I8042_CTR_KBDDIS; break;
    case I8042_CMD_KBD_EN:  k->ram[0] &= ~I8042_CTR_KBDDIS; break;
    case I8042_CMD_AUX_TEST:
    case I8042_CMD_KBD_TEST:
        output(k, 0x00, false, false);               // the interface lines are fine
        break;
    case I8042_CMD_SELF_TEST:
        k->status |= I8042_STR_SYS;
        output(k, I8042_SELF_TEST_OK, false, false);
        break;
    case I8042_CMD_READ_OUT: {
        u8 v = k->outport & ~(I8042_OUT_KBD_OBF | I8042_OUT_AUX_OBF);
        if (k->kbd_irq) v |= I8042_OUT_KBD_OBF;
        if (k->aux_irq) v |= I8042_OUT_AUX_OBF;
        output(k, v, false, false);
        break;
    }
    case I8042_CMD_A20_OFF: k->outport &= ~I8042_OUT_A20; break;
    case I8042_CMD_A20_ON:  k->outport |= I8042_OUT_A20; break;
    case I8042_CMD_WRITE_CTR:
    case I8042_CMD_WRITE_OUT:
    case I8042_CMD_KBD_LOOP:
    case I8042_CMD_AUX_LOOP:
    case I8042_CMD_AUX_SEND:
        k->pending_cmd = cmd;
        break;
    default:
        if (cmd > I8042_CMD_WRITE_CTR && cmd < I8042_CMD_WRITE_CTR + 0x20) {
            k->pending_cmd = cmd;
            break;
        }
        // Once per command value: a guest looping on one cannot flood the console.
        if (!(k->cmd_logged[cmd / 8] & (1u << (cmd % 8))))
            log_warn("vm=%d i8042 unhandled command 0x%x", k->env.vm_id, cmd);
        k->cmd_logged[cmd / 8] |= (u8)(1u << (cmd % 8));
        break;
    }
    update_irq(k);
}

// A data byte written to port 0x60: a pending command's argument, or keyboard data.
static void data(struct i8042 *k, u8 v)
{
    u8 cmd = k->pending_cmd;
    k->pending_cmd = 0;
    if (cmd >= I8042_CMD_WRITE_CTR && cmd < I8042_CMD_WRITE_CTR + 0x20) {
        k->ram[cmd & 0x1f] = v;
        if (cmd == I8042_CMD_WRITE_CTR) {
            if (v & I8042_CTR_SYS) k->status |= I8042_STR_SYS;
            else k->status &= ~I8042_STR_SYS;
        }
        update_irq(k);
        return;
    }
    switch (cmd) {
    case I8042_CMD_WRITE_OUT: write_outport(k, v); return;
    case I8042_CMD_KBD_LOOP:  output(k, v, false, false); return;
    case I8042_CMD_AUX_LOOP:  output(k, v, true, false); return;
    case I8042_CMD_AUX_SEND:  output(k, I8042_NO_DEVICE, true, true); return;
    default:
        // To the keyboard, which is not there: no clock from a device, so the
        // controller gives up and reports a timeout. Sending also re-enables the port.
        k->ram[0] &= ~I8042_CTR_KBDDIS;
        output(k, I8042_NO_DEVICE, false, true);
        return;
    }
}

static u32 i8042_io_in(void *dev, u16 port, int size)
{
    struct i8042 *k = dev;
    if (port == I8042_CMD_PORT) {
        return k->status | (k->obf ? I8042_STR_OBF : 0) |
               (k->obf && k->obuf_aux ? I8042_STR_AUXDATA : 0);
    }
    // Reading the data port empties the buffer; an empty one repeats its last byte.
    k->obf = false;
    k->status &= ~I8042_STR_TIMEOUT;
    update_irq(k);
    return k->obuf;
}

static void i8042_io_out(void *dev, u16 port, int size, u32 val)
{
    struct i8042 *k = dev;
    if (port == I8042_CMD_PORT) {
        k->status |= I8042_STR_CMD;
        command(k, (u8)val);
    } else {
        k->status &= ~I8042_STR_CMD;
        data(k, (u8)val);
    }
}

// Create the controller as firmware leaves it.
struct i8042 *i8042_create(const struct devenv *env)
{
    struct i8042 *k = kzalloc(sizeof *k);
    if (!k) return NULL;
    k->env = *env;
    k->ram[0] = I8042_CTR_KBDINT | I8042_CTR_SYS | I8042_CTR_XLATE;
    k->outport = I8042_OUT_RESET | I8042_OUT_A20;
    k->status = I8042_STR_SYS | I8042_STR_KEYLOCK;
    return k;
}

void i8042_destroy(struct i8042 *kbc)
{
    kfree(kbc);
}

// Claim 0x60 and 0x64.
bool i8042_attach(struct i8042 *kbc, struct iobus *bus)
{
    return iobus_register(bus, I8042_DATA_PORT, 1, IOBUS_SZ8, i8042_io_in, i8042_io_out,
                          kbc, "i8042-data") &&
           iobus_register(bus, I8042_CMD_PORT, 1, IOBUS_SZ8, i8042_io_in, i8042_io_out,
                          kbc, "i8042-cmd");
}
