// test_emulate.c — write-emulator tests on a fake 64 KiB guest memory.
#include "unit.h"
#include "vmm/emulate.h"

#define FAKE_SIZE  0x10000
#define MAX_LOG    64
#define NO_FAULT   0xFFFFFFFFu

// Guest memory with a faulting window and a log of the writes as the callbacks saw them.
struct fake_mem {
    u8 bytes[FAKE_SIZE];
    u32 fault_lo, fault_hi;          // any access touching [lo, hi) faults
    int nwrites;
    struct { u32 lin; int len; } log[MAX_LOG];
};
static struct fake_mem fm;

// Does [lin, lin+len) leave the fake memory or touch the faulting window?
static int fake_bad(u32 lin, int len)
{
    if ((u64)lin + (u64)len > FAKE_SIZE)
        return 1;
    return lin < fm.fault_hi && lin + (u32)len > fm.fault_lo;
}

// Read callback: copy out of the fake memory unless the range is bad.
static int fake_read(void *ctx, u32 lin, void *buf, int len)
{
    if (fake_bad(lin, len))
        return -1;
    memcpy(buf, &fm.bytes[lin], (size_t)len);
    return 0;
}

// Write callback: copy in and log the access unless the range is bad.
static int fake_write(void *ctx, u32 lin, const void *buf, int len)
{
    if (fake_bad(lin, len))
        return -1;
    memcpy(&fm.bytes[lin], buf, (size_t)len);
    if (fm.nwrites < MAX_LOG) {
        fm.log[fm.nwrites].lin = lin;
        fm.log[fm.nwrites].len = len;
    }
    fm.nwrites++;
    return 0;
}

static const struct emu_mem mem = { .ctx = &fm, .read = fake_read, .write = fake_write };

#define START_EIP 0x100
#define FLAG_RESERVED 0x2            // EFLAGS bit 1 always reads 1

// Fresh memory and registers: 32-bit code, flat segments.
static void reset(struct emu_regs *r)
{
    memset(&fm, 0, sizeof fm);
    fm.fault_lo = fm.fault_hi = NO_FAULT;
    memset(r, 0, sizeof *r);
    r->eip = START_EIP;
    r->eflags = FLAG_RESERVED;
    r->default32 = 1;
}

// Little-endian peeks and pokes into the fake memory.
static u32 rd32(u32 a) { u32 v; memcpy(&v, &fm.bytes[a], 4); return v; }
static u16 rd16(u32 a) { u16 v; memcpy(&v, &fm.bytes[a], 2); return v; }
static void wr32(u32 a, u32 v) { memcpy(&fm.bytes[a], &v, 4); }
static void wr16(u32 a, u16 v) { memcpy(&fm.bytes[a], &v, 2); }

// Decode `n` bytes in the registers' code size and emulate them.
static int run_n(const char *bytes, int n, struct emu_regs *r)
{
    struct insn in;
    if (decode_insn((const u8 *)bytes, n, r->default32, &in) != 0 || in.len != n)
        return -100;                 // a test typo, not an emulator result
    return emulate_insn(&in, r, &mem);
}
#define RUN(lit, r) run_n(lit, sizeof(lit) - 1, r)

TEST(emu_mov_forms)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x11223344;
    r.gpr[INSN_EBX] = 0x2000;
    CHECK_EQ(RUN("\x89\x03", &r), EMU_OK);                  // mov %eax,(%ebx)
    CHECK_EQ(rd32(0x2000), 0x11223344);
    CHECK_EQ(r.eip, START_EIP + 2);
    CHECK_EQ(fm.nwrites, 1);
    CHECK_EQ(fm.log[0].len, 4);
    CHECK_EQ(RUN("\x88\x63\x05", &r), EMU_OK);              // mov %ah,0x5(%ebx)
    CHECK_EQ(fm.bytes[0x2005], 0x33);
    CHECK_EQ(fm.log[1].len, 1);
    CHECK_EQ(RUN("\x66\x89\x43\x10", &r), EMU_OK);          // mov %ax,0x10(%ebx)
    CHECK_EQ(rd16(0x2010), 0x3344);
    CHECK_EQ(fm.log[2].len, 2);
    CHECK_EQ(RUN("\xc6\x43\x20\xab", &r), EMU_OK);          // movb $0xab,0x20(%ebx)
    CHECK_EQ(fm.bytes[0x2020], 0xab);
    CHECK_EQ(RUN("\xc7\x43\x24\x78\x56\x34\x12", &r), EMU_OK);   // movl $0x12345678,0x24(%ebx)
    CHECK_EQ(rd32(0x2024), 0x12345678);
    CHECK_EQ(RUN("\x66\xc7\x43\x28\xcd\xab", &r), EMU_OK);   // movw $0xabcd,0x28(%ebx)
    CHECK_EQ(rd16(0x2028), 0xabcd);
    CHECK_EQ(fm.log[5].len, 2);
    CHECK_EQ(RUN("\xa3\x00\x30\x00\x00", &r), EMU_OK);      // mov %eax,0x3000
    CHECK_EQ(rd32(0x3000), 0x11223344);
    CHECK_EQ(RUN("\xa2\x10\x30\x00\x00", &r), EMU_OK);      // mov %al,0x3010
    CHECK_EQ(fm.bytes[0x3010], 0x44);
    CHECK_EQ(fm.log[7].len, 1);
    CHECK_EQ(r.eip, START_EIP + 2 + 3 + 4 + 4 + 7 + 6 + 5 + 5);
    CHECK_EQ(r.eflags, FLAG_RESERVED);                      // MOV touches no flags
}

TEST(emu_segments)
{
    struct emu_regs r;
    reset(&r);
    r.seg_base[INSN_SEG_DS] = 0x1000;
    r.seg_base[INSN_SEG_SS] = 0x4000;
    r.seg_base[INSN_SEG_FS] = 0x8000;
    r.gpr[INSN_EAX] = 0xdeadbeef;
    r.gpr[INSN_EBX] = 0x10;
    r.gpr[INSN_EBP] = 0x20;
    CHECK_EQ(RUN("\x89\x03", &r), EMU_OK);                  // DS
    CHECK_EQ(rd32(0x1010), 0xdeadbeef);
    CHECK_EQ(RUN("\x89\x45\x04", &r), EMU_OK);              // mov %eax,0x4(%ebp): SS
    CHECK_EQ(rd32(0x4024), 0xdeadbeef);
    CHECK_EQ(RUN("\x64\x89\x03", &r), EMU_OK);              // fs override
    CHECK_EQ(rd32(0x8010), 0xdeadbeef);
}

TEST(emu_sixteen_bit_code)
{
    struct emu_regs r;
    reset(&r);
    r.default32 = 0;
    r.eip = 0xFFFE;
    r.gpr[INSN_EAX] = 0xAAAA1234;
    r.gpr[INSN_EBX] = 0xFFFF;
    r.gpr[INSN_ESI] = 0x10003;                              // only SI = 3 counts
    CHECK_EQ(RUN("\x89\x00", &r), EMU_OK);                  // mov %ax,(%bx,%si) -> 0x0002
    CHECK_EQ(rd16(0x0002), 0x1234);
    CHECK_EQ(fm.log[0].len, 2);
    CHECK_EQ(r.eip, 0);                                     // IP wraps at 64 KiB
    CHECK_EQ(RUN("\x66\x89\x47\x11", &r), EMU_OK);          // mov %eax,0x11(%bx) -> 0x0010
    CHECK_EQ(rd32(0x0010), 0xAAAA1234);
}

TEST(emu_page_crossing_store_is_one_write)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x44332211;
    CHECK_EQ(RUN("\xa3\xfe\x1f\x00\x00", &r), EMU_OK);      // mov %eax,0x1ffe
    CHECK_EQ(fm.nwrites, 1);
    CHECK_EQ(fm.log[0].lin, 0x1ffe);
    CHECK_EQ(fm.log[0].len, 4);
    CHECK_EQ(rd16(0x2000), 0x4433);
}

TEST(emu_xchg)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x00000063;
    r.gpr[INSN_EDX] = 0x3000;
    wr32(0x3000, 0x12345067);
    CHECK_EQ(RUN("\x87\x02", &r), EMU_OK);                  // xchg %eax,(%edx)
    CHECK_EQ(rd32(0x3000), 0x63);
    CHECK_EQ(r.gpr[INSN_EAX], 0x12345067);
    r.gpr[INSN_EBX] = 0xAABBCCDD;
    CHECK_EQ(RUN("\x86\x7a\x01", &r), EMU_OK);              // xchg %bh,0x1(%edx)
    CHECK_EQ(fm.bytes[0x3001], 0xCC);
    CHECK_EQ(r.gpr[INSN_EBX], 0xAABB00DD);
    CHECK_EQ(fm.log[1].len, 1);
    // A faulting store leaves the register alone.
    fm.fault_lo = 0x3000;
    fm.fault_hi = 0x3004;
    CHECK_EQ(RUN("\x87\x02", &r), EMU_FAULT);
    CHECK_EQ(r.gpr[INSN_EAX], 0x12345067);
    CHECK_EQ(r.eip, START_EIP + 2 + 3);
}

TEST(emu_cmpxchg)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EDX] = 0x3000;
    wr32(0x3000, 0x1000);
    r.gpr[INSN_EAX] = 0x1000;
    r.gpr[INSN_ECX] = 0x2067;
    CHECK_EQ(RUN("\xf0\x0f\xb1\x0a", &r), EMU_OK);          // lock cmpxchg %ecx,(%edx)
    CHECK_EQ(rd32(0x3000), 0x2067);
    CHECK(r.eflags & EMU_FLAG_ZF);
    CHECK_EQ(fm.nwrites, 1);
    // Mismatch: EAX gets the memory value, ZF clear, no write.
    r.gpr[INSN_EAX] = 0x1000;
    CHECK_EQ(RUN("\xf0\x0f\xb1\x0a", &r), EMU_OK);
    CHECK_EQ(r.gpr[INSN_EAX], 0x2067);
    CHECK(!(r.eflags & EMU_FLAG_ZF));
    CHECK(r.eflags & EMU_FLAG_CF);                          // 0x1000 - 0x2067 borrows
    CHECK_EQ(fm.nwrites, 1);
    CHECK_EQ(r.eip, START_EIP + 8);
    // 16-bit and byte forms touch only their width.
    r.gpr[INSN_EAX] = 0xFFFF2067;
    r.gpr[INSN_ECX] = 0xFFFF1111;
    CHECK_EQ(RUN("\x66\x0f\xb1\x0a", &r), EMU_OK);          // cmpxchg %cx,(%edx)
    CHECK_EQ(rd32(0x3000), 0x1111);
    CHECK_EQ(fm.log[1].len, 2);
    CHECK(r.eflags & EMU_FLAG_ZF);
    r.gpr[INSN_EAX] = 0x12345699;
    CHECK_EQ(RUN("\x0f\xb0\x0a", &r), EMU_OK);              // cmpxchg %cl,(%edx): 0x99 != 0x11
    CHECK_EQ(r.gpr[INSN_EAX], 0x12345611);
    CHECK(!(r.eflags & EMU_FLAG_ZF));
}

TEST(emu_cmpxchg8b)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_ESI] = 0x3000;
    wr32(0x3000, 0x11111111);
    wr32(0x3004, 0x22222222);
    r.gpr[INSN_EAX] = 0x11111111;
    r.gpr[INSN_EDX] = 0x22222222;
    r.gpr[INSN_EBX] = 0x33333333;
    r.gpr[INSN_ECX] = 0x44444444;
    CHECK_EQ(RUN("\xf0\x0f\xc7\x0e", &r), EMU_OK);          // lock cmpxchg8b (%esi)
    CHECK_EQ(rd32(0x3000), 0x33333333);
    CHECK_EQ(rd32(0x3004), 0x44444444);
    CHECK_EQ(fm.log[0].len, 8);
    CHECK(r.eflags & EMU_FLAG_ZF);
    CHECK_EQ(RUN("\xf0\x0f\xc7\x0e", &r), EMU_OK);          // now differs
    CHECK(!(r.eflags & EMU_FLAG_ZF));
    CHECK_EQ(r.gpr[INSN_EAX], 0x33333333);
    CHECK_EQ(r.gpr[INSN_EDX], 0x44444444);
    CHECK_EQ(fm.nwrites, 1);
    CHECK_EQ(r.eip, START_EIP + 8);
}

TEST(emu_xadd)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_ECX] = 0x3000;
    wr32(0x3000, 0x7FFFFFFF);
    r.gpr[INSN_EAX] = 1;
    CHECK_EQ(RUN("\xf0\x0f\xc1\x01", &r), EMU_OK);          // lock xadd %eax,(%ecx)
    CHECK_EQ(rd32(0x3000), 0x80000000);
    CHECK_EQ(r.gpr[INSN_EAX], 0x7FFFFFFF);
    CHECK(r.eflags & EMU_FLAG_OF);
    CHECK(r.eflags & EMU_FLAG_SF);
    CHECK(r.eflags & EMU_FLAG_AF);
    CHECK(!(r.eflags & EMU_FLAG_CF));
    r.gpr[INSN_EBX] = 0x01;
    fm.bytes[0x3010] = 0xFF;
    CHECK_EQ(RUN("\x0f\xc0\x59\x10", &r), EMU_OK);          // xadd %bl,0x10(%ecx)
    CHECK_EQ(fm.bytes[0x3010], 0);
    CHECK_EQ(r.gpr[INSN_EBX], 0xFF);
    CHECK(r.eflags & EMU_FLAG_CF);
    CHECK(r.eflags & EMU_FLAG_ZF);
    CHECK(r.eflags & EMU_FLAG_PF);
}

TEST(emu_alu_logic)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x3000;
    r.eflags |= EMU_FLAG_CF | EMU_FLAG_OF;
    fm.bytes[0x3000] = 0x40;
    CHECK_EQ(RUN("\xf0\x80\x08\x01", &r), EMU_OK);          // lock orb $0x1,(%eax)
    CHECK_EQ(fm.bytes[0x3000], 0x41);
    CHECK_EQ(fm.log[0].len, 1);
    CHECK(!(r.eflags & (EMU_FLAG_CF | EMU_FLAG_OF | EMU_FLAG_ZF | EMU_FLAG_SF)));
    CHECK(r.eflags & EMU_FLAG_PF);                          // 0x41 has two bits set
    CHECK_EQ(RUN("\xf0\x80\x20\xbe", &r), EMU_OK);          // lock andb $0xbe,(%eax)
    CHECK_EQ(fm.bytes[0x3000], 0);
    CHECK(r.eflags & EMU_FLAG_ZF);
    wr32(0x3004, 0x00000067);
    CHECK_EQ(RUN("\xf0\x83\x60\x04\xfd", &r), EMU_OK);      // lock andl $-3,0x4(%eax)
    CHECK_EQ(rd32(0x3004), 0x65);
    CHECK_EQ(fm.log[2].len, 4);
    r.gpr[INSN_EDX] = 0x80000000;
    CHECK_EQ(RUN("\x09\x50\x04", &r), EMU_OK);              // or %edx,0x4(%eax)
    CHECK_EQ(rd32(0x3004), 0x80000065);
    CHECK(r.eflags & EMU_FLAG_SF);
    CHECK_EQ(RUN("\x31\x50\x04", &r), EMU_OK);              // xor %edx,0x4(%eax)
    CHECK_EQ(rd32(0x3004), 0x65);
    CHECK_EQ(RUN("\x81\x70\x04\x65\x00\x00\x00", &r), EMU_OK);   // xorl $0x65,0x4(%eax)
    CHECK_EQ(rd32(0x3004), 0);
    CHECK(r.eflags & EMU_FLAG_ZF);
    wr16(0x3008, 0x00F0);
    CHECK_EQ(RUN("\x66\x81\x48\x08\x00\x0f", &r), EMU_OK);  // orw $0xf00,0x8(%eax)
    CHECK_EQ(rd16(0x3008), 0x0FF0);
    CHECK_EQ(fm.log[6].len, 2);
    r.gpr[INSN_ECX] = 0x0F00;
    CHECK_EQ(RUN("\x66\x21\x48\x08", &r), EMU_OK);          // and %cx,0x8(%eax)
    CHECK_EQ(rd16(0x3008), 0x0F00);
    CHECK_EQ(RUN("\x82\x48\x09\x80", &r), EMU_OK);          // orb $0x80,0x9(%eax) via 82
    CHECK_EQ(fm.bytes[0x3009], 0x8F);
}

TEST(emu_alu_arith)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EBX] = 0x3000;
    wr32(0x3000, 0xFFFFFFFF);
    CHECK_EQ(RUN("\x83\x03\x01", &r), EMU_OK);              // addl $1,(%ebx)
    CHECK_EQ(rd32(0x3000), 0);
    CHECK(r.eflags & EMU_FLAG_CF);
    CHECK(r.eflags & EMU_FLAG_ZF);
    CHECK(r.eflags & EMU_FLAG_AF);
    CHECK(!(r.eflags & EMU_FLAG_OF));
    CHECK_EQ(RUN("\x83\x2b\x01", &r), EMU_OK);              // subl $1,(%ebx): 0 - 1 borrows
    CHECK_EQ(rd32(0x3000), 0xFFFFFFFF);
    CHECK(r.eflags & EMU_FLAG_CF);
    CHECK(r.eflags & EMU_FLAG_SF);
    CHECK(!(r.eflags & EMU_FLAG_ZF));
    wr32(0x3000, 0x80000000);
    CHECK_EQ(RUN("\x83\x2b\x01", &r), EMU_OK);              // signed overflow
    CHECK_EQ(rd32(0x3000), 0x7FFFFFFF);
    CHECK(r.eflags & EMU_FLAG_OF);
    CHECK(!(r.eflags & EMU_FLAG_CF));
    r.eflags |= EMU_FLAG_CF;
    r.gpr[INSN_EAX] = 1;
    CHECK_EQ(RUN("\x11\x03", &r), EMU_OK);                  // adc %eax,(%ebx): +1 +CF
    CHECK_EQ(rd32(0x3000), 0x80000001);
    CHECK(r.eflags & EMU_FLAG_OF);
    r.eflags |= EMU_FLAG_CF;
    CHECK_EQ(RUN("\x19\x03", &r), EMU_OK);                  // sbb %eax,(%ebx): -1 -CF
    CHECK_EQ(rd32(0x3000), 0x7FFFFFFF);
    CHECK(r.eflags & EMU_FLAG_OF);
    fm.bytes[0x3010] = 0x7F;
    CHECK_EQ(RUN("\x80\x43\x10\x01", &r), EMU_OK);          // addb $1,0x10(%ebx)
    CHECK_EQ(fm.bytes[0x3010], 0x80);
    CHECK(r.eflags & EMU_FLAG_OF);
    CHECK(r.eflags & EMU_FLAG_SF);
    CHECK_EQ(rd32(0x3010), 0x80);                           // the neighbours are untouched
    r.gpr[INSN_ECX] = 0x0000FF00;
    CHECK_EQ(RUN("\x00\x6b\x10", &r), EMU_OK);              // add %ch,0x10(%ebx)
    CHECK_EQ(fm.bytes[0x3010], 0x7F);
    CHECK(r.eflags & EMU_FLAG_CF);
    wr16(0x3020, 0x0001);
    CHECK_EQ(RUN("\x66\x29\x4b\x20", &r), EMU_OK);          // sub %cx,0x20(%ebx)
    CHECK_EQ(rd16(0x3020), 0x0101);
    CHECK(r.eflags & EMU_FLAG_CF);
    CHECK_EQ(rd16(0x3022), 0);
}

TEST(emu_not_neg)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EBX] = 0x3000;
    wr32(0x3000, 0xFFFFEFFC);
    u32 flags = r.eflags | EMU_FLAG_CF | EMU_FLAG_ZF;
    r.eflags = flags;
    CHECK_EQ(RUN("\xf7\x13", &r), EMU_OK);                  // notl (%ebx)
    CHECK_EQ(rd32(0x3000), 0x00001003);
    CHECK_EQ(r.eflags, flags);                              // NOT sets no flags
    CHECK_EQ(r.eip, START_EIP + 2);
    CHECK_EQ(fm.log[0].len, 4);
    CHECK_EQ(RUN("\xf6\x53\x01", &r), EMU_OK);              // notb 0x1(%ebx)
    CHECK_EQ(rd32(0x3000), 0x0000EF03);
    CHECK_EQ(fm.log[1].len, 1);
    CHECK_EQ(RUN("\x66\xf7\x1b", &r), EMU_OK);              // negw (%ebx): -0xEF03
    CHECK_EQ(rd32(0x3000), 0x000010FD);
    CHECK(r.eflags & EMU_FLAG_CF);                          // the operand was not 0
    CHECK(!(r.eflags & EMU_FLAG_ZF));
    wr32(0x3000, 0);
    CHECK_EQ(RUN("\xf7\x1b", &r), EMU_OK);                  // negl (%ebx) of 0
    CHECK_EQ(rd32(0x3000), 0);
    CHECK(!(r.eflags & EMU_FLAG_CF));
    CHECK(r.eflags & EMU_FLAG_ZF);
    wr32(0x3000, 0x80000000);
    CHECK_EQ(RUN("\xf7\x1b", &r), EMU_OK);                  // the one that overflows
    CHECK_EQ(rd32(0x3000), 0x80000000);
    CHECK(r.eflags & EMU_FLAG_OF);
    CHECK(r.eflags & EMU_FLAG_SF);
}

TEST(emu_setcc)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x3000;
    wr32(0x3000, 0xAAAAAAAA);
    r.eflags |= EMU_FLAG_CF;
    CHECK_EQ(RUN("\x0f\x92\x00", &r), EMU_OK);              // setc (%eax)
    CHECK_EQ(rd32(0x3000), 0xAAAAAA01);                     // one byte stored
    CHECK_EQ(fm.log[0].len, 1);
    CHECK_EQ(r.eip, START_EIP + 3);
    CHECK_EQ(RUN("\x0f\x93\x00", &r), EMU_OK);              // setnc (%eax)
    CHECK_EQ(fm.bytes[0x3000], 0);
    // Each condition against flags chosen to tell it from its neighbours: SF != OF, ZF clear.
    r.eflags = FLAG_RESERVED | EMU_FLAG_SF | EMU_FLAG_PF;
    static const u8 want[16] = { 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0 };
    for (int cc = 0; cc < 16; cc++) {
        char insn[] = { 0x0f, (char)(0x90 + cc), 0x40, (char)cc };   // setCC cc(%eax)
        CHECK_EQ(run_n(insn, 4, &r), EMU_OK);
        CHECK_EQ(fm.bytes[0x3000 + cc], want[cc]);
    }
    r.eflags = FLAG_RESERVED | EMU_FLAG_ZF;                 // LE holds, G does not
    CHECK_EQ(RUN("\x0f\x9e\x00", &r), EMU_OK);              // setle (%eax)
    CHECK_EQ(fm.bytes[0x3000], 1);
    CHECK_EQ(RUN("\x0f\x97\x00", &r), EMU_OK);              // seta (%eax)
    CHECK_EQ(fm.bytes[0x3000], 0);
}

TEST(emu_pop_mem)
{
    struct emu_regs r;
    reset(&r);
    r.stack32 = 1;
    r.seg_base[INSN_SEG_SS] = 0x1000;                       // the stack is read through SS
    r.gpr[INSN_ESP] = 0x1000;
    r.gpr[INSN_EBX] = 0x3000;
    wr32(0x2000, 0x12345678);
    CHECK_EQ(RUN("\x8f\x03", &r), EMU_OK);                  // popl (%ebx)
    CHECK_EQ(rd32(0x3000), 0x12345678);
    CHECK_EQ(r.gpr[INSN_ESP], 0x1004);
    CHECK_EQ(r.eip, START_EIP + 2);
    CHECK_EQ(fm.nwrites, 1);
    // An ESP base is taken after the increment: this writes SS:0x1008 + 4.
    wr32(0x2004, 0xCAFEF00D);
    CHECK_EQ(RUN("\x8f\x44\x24\x04", &r), EMU_OK);          // popl 0x4(%esp)
    CHECK_EQ(rd32(0x200C), 0xCAFEF00D);
    CHECK_EQ(rd32(0x2008), 0);
    CHECK_EQ(r.gpr[INSN_ESP], 0x1008);
    // 66: a word popped, ESP += 2.
    wr16(0x2008, 0xBEEF);
    CHECK_EQ(RUN("\x66\x8f\x43\x10", &r), EMU_OK);          // popw 0x10(%ebx)
    CHECK_EQ(rd32(0x3010), 0xBEEF);
    CHECK_EQ(r.gpr[INSN_ESP], 0x100A);
    CHECK_EQ(fm.log[2].len, 2);
    // A 16-bit stack wraps SP and keeps ESP's high half.
    r.stack32 = 0;
    r.seg_base[INSN_SEG_SS] = 0;
    r.gpr[INSN_ESP] = 0xABCDFFFC;
    wr32(0xFFFC, 0x0BADC0DE);
    CHECK_EQ(RUN("\x8f\x03", &r), EMU_OK);
    CHECK_EQ(rd32(0x3000), 0x0BADC0DE);
    CHECK_EQ(r.gpr[INSN_ESP], 0xABCD0000);
    // A faulting store leaves ESP and EIP alone.
    fm.fault_lo = 0x3000;
    fm.fault_hi = 0x3004;
    u32 eip = r.eip;
    CHECK_EQ(RUN("\x8f\x03", &r), EMU_FAULT);
    CHECK_EQ(r.gpr[INSN_ESP], 0xABCD0000);
    CHECK_EQ(r.eip, eip);
}

TEST(emu_bitops_immediate)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x3000;
    wr32(0x3000, 0x00000067);
    CHECK_EQ(RUN("\xf0\x0f\xba\x30\x01", &r), EMU_OK);      // lock btrl $1,(%eax)
    CHECK_EQ(rd32(0x3000), 0x65);
    CHECK(r.eflags & EMU_FLAG_CF);
    CHECK_EQ(RUN("\xf0\x0f\xba\x30\x01", &r), EMU_OK);      // again: bit already clear
    CHECK(!(r.eflags & EMU_FLAG_CF));
    CHECK_EQ(RUN("\x0f\xba\x28\x25", &r), EMU_OK);          // btsl $0x25,(%eax): 37 mod 32
    CHECK_EQ(rd32(0x3000), 0x65 | 0x20);
    CHECK(r.eflags & EMU_FLAG_CF);                          // bit 5 was set
    CHECK_EQ(fm.log[2].lin, 0x3000);
    CHECK_EQ(RUN("\x0f\xba\x38\x1f", &r), EMU_OK);          // btcl $31,(%eax)
    CHECK_EQ(rd32(0x3000), 0x80000065);
    CHECK(!(r.eflags & EMU_FLAG_CF));
    CHECK_EQ(RUN("\x66\x0f\xba\x28\x13", &r), EMU_OK);      // btsw $19,(%eax): 19 mod 16
    CHECK_EQ(rd32(0x3000), 0x8000006D);
    CHECK_EQ(fm.log[4].len, 2);
}

TEST(emu_bitops_register_offset)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EBX] = 0x3000;
    r.gpr[INSN_ECX] = 35;                                   // dword +1, bit 3
    CHECK_EQ(RUN("\x0f\xab\x0b", &r), EMU_OK);              // bts %ecx,(%ebx)
    CHECK_EQ(rd32(0x3004), 0x8);
    CHECK_EQ(fm.log[0].lin, 0x3004);
    CHECK_EQ(fm.log[0].len, 4);
    CHECK(!(r.eflags & EMU_FLAG_CF));
    r.gpr[INSN_ECX] = (u32)-1;                              // dword -1, bit 31
    CHECK_EQ(RUN("\x0f\xbb\x0b", &r), EMU_OK);              // btc %ecx,(%ebx)
    CHECK_EQ(rd32(0x2FFC), 0x80000000);
    CHECK_EQ(fm.log[1].lin, 0x2FFC);
    r.gpr[INSN_ECX] = 0x80000000u | 35;                     // only the low 16 bits: 35
    CHECK_EQ(RUN("\x66\x0f\xb3\x0b", &r), EMU_OK);          // btr %cx,(%ebx): word +2, bit 3
    CHECK_EQ(fm.log[2].lin, 0x3004);                        // the bit BTS set above
    CHECK_EQ(fm.log[2].len, 2);
    CHECK_EQ(rd32(0x3004), 0);
    CHECK(r.eflags & EMU_FLAG_CF);
    r.gpr[INSN_ECX] = 0x0000FFF0;                           // -16 as a word: word -1, bit 0
    CHECK_EQ(RUN("\x66\x0f\xab\x0b", &r), EMU_OK);
    CHECK_EQ(fm.log[3].lin, 0x2FFE);
    CHECK_EQ(rd16(0x2FFE), 0x8001);
}

TEST(emu_incdec)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x3000;
    r.eflags |= EMU_FLAG_CF;
    wr32(0x3000, 0x7FFFFFFF);
    CHECK_EQ(RUN("\xf0\xff\x00", &r), EMU_OK);              // lock incl (%eax)
    CHECK_EQ(rd32(0x3000), 0x80000000);
    CHECK(r.eflags & EMU_FLAG_OF);
    CHECK(r.eflags & EMU_FLAG_CF);                          // CF is kept
    r.eflags &= ~(u32)EMU_FLAG_CF;
    wr32(0x3000, 1);
    CHECK_EQ(RUN("\xf0\xff\x08", &r), EMU_OK);              // lock decl (%eax)
    CHECK_EQ(rd32(0x3000), 0);
    CHECK(r.eflags & EMU_FLAG_ZF);
    CHECK(!(r.eflags & EMU_FLAG_CF));
    CHECK_EQ(RUN("\xfe\x48\x04", &r), EMU_OK);              // decb 0x4(%eax)
    CHECK_EQ(fm.bytes[0x3004], 0xFF);
    CHECK(!(r.eflags & EMU_FLAG_CF));
    CHECK_EQ(fm.log[2].len, 1);
    CHECK_EQ(RUN("\x66\xff\x40\x04", &r), EMU_OK);          // incw 0x4(%eax)
    CHECK_EQ(rd16(0x3004), 0x0100);
    CHECK_EQ(fm.log[3].len, 2);
}

TEST(emu_stos_movs_single)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0xCAFEBABE;
    r.gpr[INSN_EDI] = 0x3000;
    CHECK_EQ(RUN("\xab", &r), EMU_OK);                      // stosl
    CHECK_EQ(rd32(0x3000), 0xCAFEBABE);
    CHECK_EQ(r.gpr[INSN_EDI], 0x3004);
    CHECK_EQ(RUN("\xaa", &r), EMU_OK);                      // stosb
    CHECK_EQ(fm.bytes[0x3004], 0xBE);
    CHECK_EQ(r.gpr[INSN_EDI], 0x3005);
    r.eflags |= EMU_FLAG_DF;
    CHECK_EQ(RUN("\x66\xab", &r), EMU_OK);                  // stosw, backwards
    CHECK_EQ(rd16(0x3005), 0xBABE);
    CHECK_EQ(r.gpr[INSN_EDI], 0x3003);
    r.eflags &= ~(u32)EMU_FLAG_DF;
    wr32(0x1000, 0x01020304);
    r.gpr[INSN_ESI] = 0x1000;
    r.gpr[INSN_EDI] = 0x3100;
    CHECK_EQ(RUN("\xa5", &r), EMU_OK);                      // movsl
    CHECK_EQ(rd32(0x3100), 0x01020304);
    CHECK_EQ(r.gpr[INSN_ESI], 0x1004);
    CHECK_EQ(r.gpr[INSN_EDI], 0x3104);
    // The source segment follows an override; the destination is always ES.
    r.seg_base[INSN_SEG_FS] = 0x2000;
    r.seg_base[INSN_SEG_ES] = 0x0800;
    fm.bytes[0x2010] = 0x5A;
    r.gpr[INSN_ESI] = 0x10;
    r.gpr[INSN_EDI] = 0x2900;
    CHECK_EQ(RUN("\x64\xa4", &r), EMU_OK);                  // movsb %fs:(%esi),%es:(%edi)
    CHECK_EQ(fm.bytes[0x3100], 0x5A);
    CHECK_EQ(r.eip, START_EIP + 1 + 1 + 2 + 1 + 2);
}

TEST(emu_rep_stos_movs)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x11111111;
    r.gpr[INSN_EDI] = 0x3000;
    r.gpr[INSN_ECX] = 16;
    CHECK_EQ(RUN("\xf3\xab", &r), EMU_OK);                  // rep stosl
    CHECK_EQ(r.gpr[INSN_ECX], 0);
    CHECK_EQ(r.gpr[INSN_EDI], 0x3040);
    CHECK_EQ(rd32(0x303C), 0x11111111);
    CHECK_EQ(rd32(0x3040), 0);
    CHECK_EQ(fm.nwrites, 16);
    CHECK_EQ(fm.log[15].len, 4);
    CHECK_EQ(r.eip, START_EIP + 2);
    // Backwards copy of 3 dwords ending at 0x1008.
    wr32(0x1000, 0xA);
    wr32(0x1004, 0xB);
    wr32(0x1008, 0xC);
    r.eflags |= EMU_FLAG_DF;
    r.gpr[INSN_ESI] = 0x1008;
    r.gpr[INSN_EDI] = 0x3108;
    r.gpr[INSN_ECX] = 3;
    CHECK_EQ(RUN("\xf3\xa5", &r), EMU_OK);                  // std; rep movsl
    CHECK_EQ(rd32(0x3100), 0xA);
    CHECK_EQ(rd32(0x3104), 0xB);
    CHECK_EQ(rd32(0x3108), 0xC);
    CHECK_EQ(r.gpr[INSN_ESI], 0x0FFC);
    CHECK_EQ(r.gpr[INSN_EDI], 0x30FC);
    CHECK_EQ(fm.log[16].lin, 0x3108);                       // highest first
    r.eflags &= ~(u32)EMU_FLAG_DF;
    // REP with a zero count does nothing but move on.
    fm.nwrites = 0;
    CHECK_EQ(RUN("\xf3\xa4", &r), EMU_OK);
    CHECK_EQ(fm.nwrites, 0);
    CHECK_EQ(r.eip, START_EIP + 4 + 2);
    // rep movsb of 5 bytes; F2 repeats MOVS too.
    memcpy(&fm.bytes[0x1200], "hello", 5);
    r.gpr[INSN_ESI] = 0x1200;
    r.gpr[INSN_EDI] = 0x3200;
    r.gpr[INSN_ECX] = 5;
    CHECK_EQ(RUN("\xf2\xa4", &r), EMU_OK);
    CHECK(memcmp(&fm.bytes[0x3200], "hello", 5) == 0);
    CHECK_EQ(r.gpr[INSN_ECX], 0);
}

TEST(emu_rep_sixteen_bit_addressing)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EAX] = 0x7777;
    r.gpr[INSN_ECX] = 0xABCD0003;                           // CX = 3, high half kept
    r.gpr[INSN_EDI] = 0x5555FFFC;                           // DI wraps at 64 KiB
    CHECK_EQ(RUN("\x67\xf3\x66\xab", &r), EMU_OK);          // addr16 rep stosw
    CHECK_EQ(rd16(0xFFFC), 0x7777);
    CHECK_EQ(rd16(0xFFFE), 0x7777);
    CHECK_EQ(r.gpr[INSN_ECX], 0xABCD0001);                  // the wrap left the page: stop
    CHECK_EQ(r.gpr[INSN_EDI], 0x55550000);
    CHECK_EQ(r.eip, START_EIP);
    CHECK_EQ(RUN("\x67\xf3\x66\xab", &r), EMU_OK);
    CHECK_EQ(rd16(0x0000), 0x7777);
    CHECK_EQ(r.gpr[INSN_ECX], 0xABCD0000);
    CHECK_EQ(r.gpr[INSN_EDI], 0x55550002);
    CHECK_EQ(r.eip, START_EIP + 4);
}

TEST(emu_rep_stops_at_page_end)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EDI] = 0x1FF8;
    r.gpr[INSN_ECX] = 8;
    r.gpr[INSN_EAX] = 0x5A5A5A5A;
    CHECK_EQ(RUN("\xf3\xab", &r), EMU_OK);                  // rep stosl over 0x2000
    CHECK_EQ(fm.nwrites, 2);                                // 0x1FF8 and 0x1FFC only
    CHECK_EQ(r.gpr[INSN_ECX], 6);
    CHECK_EQ(r.gpr[INSN_EDI], 0x2000);
    CHECK_EQ(r.eip, START_EIP);                             // the guest runs the rest
    CHECK_EQ(RUN("\xf3\xab", &r), EMU_OK);                  // (a re-execution that traps)
    CHECK_EQ(r.gpr[INSN_ECX], 0);
    CHECK_EQ(r.gpr[INSN_EDI], 0x2018);
    CHECK_EQ(rd32(0x2014), 0x5A5A5A5A);
    CHECK_EQ(r.eip, START_EIP + 2);
    // Backwards across a boundary, with an element straddling it written whole.
    r.eflags |= EMU_FLAG_DF;
    r.gpr[INSN_EDI] = 0x3002;
    r.gpr[INSN_ECX] = 4;
    fm.nwrites = 0;
    CHECK_EQ(RUN("\xf3\xab", &r), EMU_OK);
    CHECK_EQ(fm.nwrites, 1);                                // 0x3002 only; next is 0x2FFE
    CHECK_EQ(r.gpr[INSN_EDI], 0x2FFE);
    CHECK_EQ(r.gpr[INSN_ECX], 3);
    CHECK_EQ(r.eip, START_EIP + 2);
}

TEST(emu_rep_fault_keeps_progress)
{
    struct emu_regs r;
    reset(&r);
    fm.fault_lo = 0x3010;
    fm.fault_hi = 0x3011;
    r.gpr[INSN_EDI] = 0x3000;
    r.gpr[INSN_ECX] = 8;
    CHECK_EQ(RUN("\xf3\xab", &r), EMU_FAULT);               // rep stosl
    CHECK_EQ(fm.nwrites, 4);
    CHECK_EQ(r.gpr[INSN_ECX], 4);
    CHECK_EQ(r.gpr[INSN_EDI], 0x3010);
    CHECK_EQ(r.eip, START_EIP);
    // A faulting source read stops MOVS the same way.
    fm.fault_lo = 0x1002;
    fm.fault_hi = 0x1003;
    r.gpr[INSN_ESI] = 0x1000;
    r.gpr[INSN_EDI] = 0x3100;
    r.gpr[INSN_ECX] = 5;
    CHECK_EQ(RUN("\xf3\xa4", &r), EMU_FAULT);               // rep movsb
    CHECK_EQ(r.gpr[INSN_ECX], 3);
    CHECK_EQ(r.gpr[INSN_ESI], 0x1002);
    CHECK_EQ(r.gpr[INSN_EDI], 0x3102);
    CHECK_EQ(r.eip, START_EIP);
    // Without REP a fault changes nothing.
    CHECK_EQ(RUN("\xa4", &r), EMU_FAULT);
    CHECK_EQ(r.gpr[INSN_ESI], 0x1002);
    CHECK_EQ(r.gpr[INSN_EDI], 0x3102);
}

TEST(emu_faults_leave_state)
{
    struct emu_regs r;
    reset(&r);
    fm.fault_lo = 0x3000;
    fm.fault_hi = 0x4000;
    r.gpr[INSN_EBX] = 0x3000;
    r.gpr[INSN_EAX] = 0x3000;
    u32 flags = r.eflags;
    CHECK_EQ(RUN("\x89\x03", &r), EMU_FAULT);
    CHECK_EQ(RUN("\x83\x03\x01", &r), EMU_FAULT);
    CHECK_EQ(RUN("\xf0\x0f\xb1\x0b", &r), EMU_FAULT);
    CHECK_EQ(RUN("\xf0\x0f\xc1\x03", &r), EMU_FAULT);
    CHECK_EQ(RUN("\xf0\x0f\xc7\x0b", &r), EMU_FAULT);
    CHECK_EQ(RUN("\x0f\xab\x03", &r), EMU_FAULT);
    CHECK_EQ(RUN("\xff\x03", &r), EMU_FAULT);
    CHECK_EQ(r.eflags, flags);
    CHECK_EQ(r.gpr[INSN_EAX], 0x3000);
    CHECK_EQ(r.eip, START_EIP);
    CHECK_EQ(fm.nwrites, 0);
}

TEST(emu_unsupported)
{
    struct emu_regs r;
    reset(&r);
    r.gpr[INSN_EBX] = 0x3000;
    CHECK_EQ(RUN("\x8b\x03", &r), EMU_UNSUPPORTED);         // a load
    CHECK_EQ(RUN("\x89\xd8", &r), EMU_UNSUPPORTED);         // register move
    CHECK_EQ(RUN("\x39\x03", &r), EMU_UNSUPPORTED);         // CMP writes nothing
    CHECK_EQ(RUN("\xd1\x23", &r), EMU_UNSUPPORTED);         // shll (%ebx)
    CHECK_EQ(RUN("\x0f\xa2", &r), EMU_UNSUPPORTED);         // cpuid
    CHECK_EQ(RUN("\xff\x33", &r), EMU_UNSUPPORTED);         // pushl (%ebx)
    CHECK_EQ(r.eip, START_EIP);
    CHECK_EQ(fm.nwrites, 0);
}
