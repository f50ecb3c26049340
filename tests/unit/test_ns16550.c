// test_ns16550.c — the UART as Linux's 8250 driver probes and drives it.
#include "unit.h"
#include "fake_devenv.h"
#include "vmm/dev/ns16550.h"

static struct fake F;
static struct iobus *B;

static struct ns16550 *setup(void)
{
    fake_init(&F);
    B = iobus_create(0);
    struct ns16550 *u = ns16550_create(&F.env, 0x3f8, 4);
    ns16550_attach(u, B);
    return u;
}

static void teardown(struct ns16550 *u)
{
    ns16550_destroy(u);
    iobus_destroy(B);
}

static u8 in(int reg) { return (u8)iobus_in(B, 0x3f8 + reg, 1); }
static void out(int reg, u8 v) { iobus_out(B, 0x3f8 + reg, 1, v); }

TEST(ns16550_linux_autoconfig_probe)
{
    struct ns16550 *u = setup();
    out(1, 0x00);
    CHECK_EQ(in(1) & 0x0f, 0x00);
    out(1, 0x0f);
    CHECK_EQ(in(1) & 0x0f, 0x0f);
    out(1, 0x00);
    out(7, 0xa5);
    CHECK_EQ(in(7), 0xa5);
    out(4, 0x1a);                                // loopback | RTS | OUT2
    CHECK_EQ(in(6) & 0xf0, 0x90);                // CTS and DCD fed back
    out(4, 0x00);
    out(2, 0x01);                                // FIFO enable: a 16550A
    CHECK_EQ(in(2) >> 6, 3);
    out(3, 0xbf);                                // no EFR behind LCR 0xbf...
    CHECK(in(2) != 0);                           // ...IIR reads there, non-zero
    out(3, 0x00);
    out(2, 0x00);
    CHECK_EQ(in(2) >> 6, 0);
    teardown(u);
}

TEST(ns16550_thre_interrupt_semantics)
{
    struct ns16550 *u = setup();
    out(4, 0x0b);                                // DTR | RTS | OUT2
    out(2, 0x07);
    CHECK_EQ(in(2), 0xc1);                       // nothing pending
    out(1, 0x02);                                // ETBEI on, THR empty: THRE pending
    CHECK_EQ(F.line[4], 1);
    CHECK_EQ(in(5) & 0x60, 0x60);
    CHECK_EQ(in(2), 0xc2);                       // reading IIR withdraws it...
    CHECK_EQ(F.line[4], 0);
    CHECK_EQ(in(2), 0xc1);
    out(1, 0x00);                                // ...and toggling ETBEI re-requests it
    out(1, 0x02);
    CHECK_EQ(in(2), 0xc2);
    out(0, 'h');                                 // a THR write sends and re-empties
    CHECK_EQ(F.line[4], 1);
    out(1, 0x00);                                // stop_tx drops the line
    CHECK_EQ(F.line[4], 0);
    CHECK_EQ(F.nout, 1);
    CHECK_EQ(F.out[0], 'h');
    teardown(u);
}

TEST(ns16550_out2_gates_the_irq)
{
    struct ns16550 *u = setup();
    out(1, 0x02);
    CHECK_EQ(F.line[4], 0);
    out(4, 0x08);
    CHECK_EQ(F.line[4], 1);
    CHECK_EQ(in(2) & 0x0f, 0x02);
    teardown(u);
}

TEST(ns16550_transmit_to_console)
{
    struct ns16550 *u = setup();
    const char *s = "Linux version 6.1\n";
    for (const char *p = s; *p; p++) {
        CHECK(in(5) & 0x20);
        out(0, (u8)*p);
    }
    F.out[F.nout] = 0;
    CHECK(strcmp(F.out, s) == 0);
    teardown(u);
}

TEST(ns16550_divisor_latch)
{
    struct ns16550 *u = setup();
    out(1, 0x05);
    out(3, 0x83);
    out(0, 0x01);
    out(1, 0x00);
    CHECK_EQ(in(0), 0x01);
    CHECK_EQ(in(1), 0x00);
    out(3, 0x03);
    CHECK_EQ(in(3), 0x03);
    CHECK_EQ(in(1), 0x05);                       // IER untouched by the divisor
    CHECK_EQ(F.nout, 0);                         // DLL writes are not data
    teardown(u);
}

TEST(ns16550_receive_interrupts)
{
    struct ns16550 *u = setup();
    out(4, 0x08);
    out(1, 0x01);
    CHECK(ns16550_receive(u, 'a'));
    CHECK_EQ(in(5) & 0x01, 1);
    CHECK_EQ(in(2), 0x04);                       // no FIFO: data available
    CHECK_EQ(F.line[4], 1);
    CHECK_EQ(in(0), 'a');
    CHECK_EQ(in(5) & 0x01, 0);
    CHECK_EQ(F.line[4], 0);
    out(2, 0x81);                                // FIFO, trigger at 8
    ns16550_receive(u, 'b');
    ns16550_receive(u, 'c');
    CHECK_EQ(in(2), 0xcc);                       // below trigger: character timeout
    for (int i = 0; i < 6; i++) ns16550_receive(u, 'x');
    CHECK_EQ(in(2), 0xc4);
    CHECK_EQ(in(0), 'b');
    CHECK_EQ(in(0), 'c');
    teardown(u);
}

TEST(ns16550_overrun_sets_oe)
{
    struct ns16550 *u = setup();
    out(4, 0x08);
    out(1, 0x04);                                // line status interrupts only
    CHECK(ns16550_receive(u, '1'));
    CHECK(!ns16550_receive(u, '2'));             // FIFOs off: one byte holds
    CHECK_EQ(in(2), 0x06);
    CHECK_EQ(in(5) & 0x03, 0x03);
    CHECK_EQ(in(5) & 0x02, 0);                   // reading LSR clears the error
    CHECK_EQ(in(2), 0x01);
    CHECK_EQ(in(0), '2');
    teardown(u);
}

TEST(ns16550_loopback_data_and_msr_deltas)
{
    struct ns16550 *u = setup();
    out(4, 0x10);
    in(6);
    out(4, 0x13);                                // DTR, RTS on in loopback
    CHECK_EQ(in(6), 0x30 | 0x03);                // CTS, DSR and their deltas
    CHECK_EQ(in(6), 0x30);
    out(0, 'z');
    CHECK_EQ(F.nout, 0);
    CHECK_EQ(in(0), 'z');
    CHECK(!ns16550_receive(u, 'q'));             // the line is cut in loopback
    teardown(u);
}

TEST(ns16550_fcr_clears_rx)
{
    struct ns16550 *u = setup();
    out(2, 0x01);
    ns16550_receive(u, 'a');
    out(2, 0x03);
    CHECK_EQ(in(5) & 0x01, 0);
    teardown(u);
}

TEST(ns16550_readonly_write_logged)
{
    struct ns16550 *u = setup();
    out(5, 0x00);
    CHECK(unit_log_contains("ns16550 write to read-only register port=0x3fd"));
    CHECK_EQ(in(5) & 0x60, 0x60);
    teardown(u);
}

// Found by fuzz_ns16550: every write to LSR/MSR logged a line (a console flood from a
// guest loop). Now the first one only.
TEST(ns16550_read_only_writes_logged_once)
{
    struct ns16550 *u = setup();
    for (int i = 0; i < 3; i++) { out(5, 0x00); out(6, 0x00); }
    CHECK_EQ(unit_log_count("ns16550 write to read-only register"), 1);
    teardown(u);
}
