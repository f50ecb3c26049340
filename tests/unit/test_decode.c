// test_decode.c — decoder tests: a table of assembled encodings and field checks.
#include "unit.h"
#include "vmm/decode.h"
#include <stdlib.h>

// One encoding: CS.D (1 = 32-bit code), expected length, the bytes, and what gas
// assembled them from (objdump's text, kept for failure messages). Generated once with
// `as --32` and `objdump -d` (with -m i8086 for the 16-bit rows).
struct len_case {
    int default32;
    int len;
    const char *bytes;
    const char *text;
};

static const struct len_case len_cases[] = {
    { 1,  2, "\x00\x00", "add %al,(%eax)" },
    { 1,  3, "\x01\x04\x8b", "add %eax,(%ebx,%ecx,4)" },
    { 1,  3, "\x03\x0c\x24", "add (%esp),%ecx" },
    { 1,  3, "\x02\x55\x12", "add 0x12(%ebp),%dl" },
    { 1,  6, "\x03\xbe\x78\x56\x34\x12", "add 0x12345678(%esi),%edi" },
    { 1,  2, "\x04\x12", "add $0x12,%al" },
    { 1,  5, "\x05\x78\x56\x34\x12", "add $0x12345678,%eax" },
    { 1,  4, "\x66\x05\x34\x12", "add $0x1234,%ax" },
    { 1,  4, "\x08\x4c\x24\x10", "or %cl,0x10(%esp)" },
    { 1,  3, "\x83\xc9\x7f", "or $0x7f,%ecx" },
    { 1,  3, "\x80\x0a\x80", "orb $0x80,(%edx)" },
    { 1,  4, "\xf0\x80\x08\x01", "lock orb $0x1,(%eax)" },
    { 1,  5, "\xf0\x83\x4b\x04\x20", "lock orl $0x20,0x4(%ebx)" },
    { 1,  4, "\x11\x5c\x75\xfc", "adc %ebx,-0x4(%ebp,%esi,2)" },
    { 1,  6, "\x1b\x05\x00\x10\x00\x00", "sbb 0x1000,%eax" },
    { 1,  2, "\x20\x3f", "and %bh,(%edi)" },
    { 1,  4, "\xf0\x80\x21\xdf", "lock andb $0xdf,(%ecx)" },
    { 1,  4, "\xf0\x83\x20\xfd", "lock andl $0xfffffffd,(%eax)" },
    { 1,  5, "\x25\x00\xf0\xff\xff", "and $0xfffff000,%eax" },
    { 1,  7, "\x29\x24\xc5\x00\x00\x00\x00", "sub %esp,0x0(,%eax,8)" },
    { 1,  6, "\x81\xec\x00\x01\x00\x00", "sub $0x100,%esp" },
    { 1,  2, "\x31\xc0", "xor %eax,%eax" },
    { 1,  4, "\x31\x54\x10\x08", "xor %edx,0x8(%eax,%edx,1)" },
    { 1,  2, "\x38\x06", "cmp %al,(%esi)" },
    { 1,  4, "\x83\x7d\x0c\x00", "cmpl $0x0,0xc(%ebp)" },
    { 1,  6, "\x66\x81\x78\x02\x34\x12", "cmpw $0x1234,0x2(%eax)" },
    { 1,  4, "\x80\x3c\xd9\x05", "cmpb $0x5,(%ecx,%ebx,8)" },
    { 1,  1, "\x06", "push %es" },
    { 1,  1, "\x07", "pop %es" },
    { 1,  1, "\x0e", "push %cs" },
    { 1,  1, "\x16", "push %ss" },
    { 1,  1, "\x17", "pop %ss" },
    { 1,  1, "\x1e", "push %ds" },
    { 1,  1, "\x1f", "pop %ds" },
    { 1,  1, "\x27", "daa" },
    { 1,  1, "\x2f", "das" },
    { 1,  1, "\x37", "aaa" },
    { 1,  1, "\x3f", "aas" },
    { 1,  1, "\x40", "inc %eax" },
    { 1,  1, "\x4f", "dec %edi" },
    { 1,  2, "\x66\x41", "inc %cx" },
    { 1,  1, "\x55", "push %ebp" },
    { 1,  1, "\x5d", "pop %ebp" },
    { 1,  2, "\x66\x50", "push %ax" },
    { 1,  1, "\x60", "pusha" },
    { 1,  1, "\x61", "popa" },
    { 1,  2, "\x66\x60", "pushaw" },
    { 1,  2, "\x62\x03", "bound %eax,(%ebx)" },
    { 1,  2, "\x63\x01", "arpl %ax,(%ecx)" },
    { 1,  5, "\x68\x78\x56\x34\x12", "push $0x12345678" },
    { 1,  2, "\x6a\x12", "push $0x12" },
    { 1,  4, "\x66\x68\x34\x12", "pushw $0x1234" },
    { 1,  3, "\x6b\xc8\x10", "imul $0x10,%eax,%ecx" },
    { 1,  6, "\x69\x13\x00\x10\x00\x00", "imul $0x1000,(%ebx),%edx" },
    { 1,  5, "\x66\x69\x13\x00\x10", "imul $0x1000,(%ebx),%dx" },
    { 1,  1, "\x6c", "insb (%dx),%es:(%edi)" },
    { 1,  1, "\x6d", "insl (%dx),%es:(%edi)" },
    { 1,  1, "\x6e", "outsb %ds:(%esi),(%dx)" },
    { 1,  1, "\x6f", "outsl %ds:(%esi),(%dx)" },
    { 1,  3, "\x66\xf3\x6d", "rep insw (%dx),%es:(%edi)" },
    { 1,  2, "\xf3\x6e", "rep outsb %ds:(%esi),(%dx)" },
    { 1,  2, "\x70\x00", "jo 0xaa" },
    { 1,  2, "\x75\x0e", "jne 0xba" },
    { 1,  2, "\x7f\xee", "jg 0x9c" },
    { 1,  2, "\xeb\x00", "jmp 0xb0" },
    { 1,  6, "\x0f\x85\xfa\x0f\x00\x00", "jne 0x10b0" },
    { 1,  6, "\x0f\x84\xfa\xef\xff\xff", "je 0xfffff0b6" },
    { 1,  5, "\xe8\xfb\x0f\x00\x00", "call 0x10bc" },
    { 1,  5, "\xe9\xfb\x0f\x00\x00", "jmp 0x10c1" },
    { 1,  2, "\x84\xc3", "test %al,%bl" },
    { 1,  2, "\x85\x01", "test %eax,(%ecx)" },
    { 1,  2, "\x86\x03", "xchg %al,(%ebx)" },
    { 1,  2, "\x87\x02", "xchg %eax,(%edx)" },
    { 1,  7, "\x87\xb4\x24\x00\x01\x00\x00", "xchg %esi,0x100(%esp)" },
    { 1,  3, "\xf0\x87\x08", "lock xchg %ecx,(%eax)" },
    { 1,  2, "\x88\x03", "mov %al,(%ebx)" },
    { 1,  2, "\x89\x02", "mov %eax,(%edx)" },
    { 1,  4, "\x89\x4c\x98\x04", "mov %ecx,0x4(%eax,%ebx,4)" },
    { 1,  6, "\x89\x15\x78\x56\x34\x12", "mov %edx,0x12345678" },
    { 1,  2, "\x8a\x03", "mov (%ebx),%al" },
    { 1,  3, "\x8b\x45\x08", "mov 0x8(%ebp),%eax" },
    { 1,  2, "\x8c\xc0", "mov %es,%eax" },
    { 1,  2, "\x8c\x18", "mov %ds,(%eax)" },
    { 1,  4, "\x8d\x4c\x24\x04", "lea 0x4(%esp),%ecx" },
    { 1,  3, "\x8d\x04\x40", "lea (%eax,%eax,2),%eax" },
    { 1,  2, "\x8e\xd0", "mov %eax,%ss" },
    { 1,  2, "\x8e\xd8", "mov %eax,%ds" },
    { 1,  2, "\x8f\x00", "pop (%eax)" },
    { 1,  4, "\x8f\x44\x24\x04", "pop 0x4(%esp)" },
    { 1,  1, "\x90", "nop" },
    { 1,  1, "\x91", "xchg %eax,%ecx" },
    { 1,  1, "\x98", "cwtl" },
    { 1,  1, "\x99", "cltd" },
    { 1,  2, "\x66\x98", "cbtw" },
    { 1,  7, "\x9a\x78\x56\x34\x12\x10\x00", "lcall $0x10,$0x12345678" },
    { 1,  6, "\x66\x9a\x34\x12\x10\x00", "lcallw $0x10,$0x1234" },
    { 1,  1, "\x9b", "fwait" },
    { 1,  1, "\x9c", "pushf" },
    { 1,  1, "\x9d", "popf" },
    { 1,  1, "\x9e", "sahf" },
    { 1,  1, "\x9f", "lahf" },
    { 1,  5, "\xa0\x78\x56\x34\x12", "mov 0x12345678,%al" },
    { 1,  5, "\xa1\x78\x56\x34\x12", "mov 0x12345678,%eax" },
    { 1,  5, "\xa2\x78\x56\x34\x12", "mov %al,0x12345678" },
    { 1,  5, "\xa3\x78\x56\x34\x12", "mov %eax,0x12345678" },
    { 1,  6, "\x66\xa3\x34\x12\x00\x00", "mov %ax,0x1234" },
    { 1,  6, "\x64\xa1\x78\x56\x34\x12", "mov %fs:0x12345678,%eax" },
    { 1,  1, "\xa4", "movsb %ds:(%esi),%es:(%edi)" },
    { 1,  1, "\xa5", "movsl %ds:(%esi),%es:(%edi)" },
    { 1,  2, "\x66\xa5", "movsw %ds:(%esi),%es:(%edi)" },
    { 1,  2, "\xf3\xa5", "rep movsl %ds:(%esi),%es:(%edi)" },
    { 1,  2, "\xf3\xa4", "rep movsb %ds:(%esi),%es:(%edi)" },
    { 1,  1, "\xa6", "cmpsb %es:(%edi),%ds:(%esi)" },
    { 1,  2, "\xf3\xa7", "repz cmpsl %es:(%edi),%ds:(%esi)" },
    { 1,  2, "\xf2\xae", "repnz scas %es:(%edi),%al" },
    { 1,  1, "\xaa", "stos %al,%es:(%edi)" },
    { 1,  1, "\xab", "stos %eax,%es:(%edi)" },
    { 1,  2, "\x66\xab", "stos %ax,%es:(%edi)" },
    { 1,  2, "\xf3\xab", "rep stos %eax,%es:(%edi)" },
    { 1,  2, "\xf3\xaa", "rep stos %al,%es:(%edi)" },
    { 1,  1, "\xad", "lods %ds:(%esi),%eax" },
    { 1,  1, "\xaf", "scas %es:(%edi),%eax" },
    { 1,  2, "\xa8\x12", "test $0x12,%al" },
    { 1,  5, "\xa9\x78\x56\x34\x12", "test $0x12345678,%eax" },
    { 1,  2, "\xb0\x12", "mov $0x12,%al" },
    { 1,  2, "\xb7\x12", "mov $0x12,%bh" },
    { 1,  5, "\xb8\x78\x56\x34\x12", "mov $0x12345678,%eax" },
    { 1,  4, "\x66\xbf\x34\x12", "mov $0x1234,%di" },
    { 1,  5, "\xbf\x78\x56\x34\x12", "mov $0x12345678,%edi" },
    { 1,  3, "\xc0\xc0\x03", "rol $0x3,%al" },
    { 1,  3, "\xc1\xe0\x04", "shl $0x4,%eax" },
    { 1,  3, "\xc1\x2b\x1f", "shrl $0x1f,(%ebx)" },
    { 1,  4, "\x66\xc1\xfa\x02", "sar $0x2,%dx" },
    { 1,  3, "\xc2\x08\x00", "ret $0x8" },
    { 1,  1, "\xc3", "ret" },
    { 1,  2, "\xc4\x08", "les (%eax),%ecx" },
    { 1,  3, "\xc5\x53\x04", "lds 0x4(%ebx),%edx" },
    { 1,  3, "\xc6\x00\x12", "movb $0x12,(%eax)" },
    { 1,  6, "\xc7\x03\x78\x56\x34\x12", "movl $0x12345678,(%ebx)" },
    { 1,  8, "\xc7\x44\x24\x08\x00\x00\x00\x00", "movl $0x0,0x8(%esp)" },
    { 1,  5, "\x66\xc7\x01\x34\x12", "movw $0x1234,(%ecx)" },
    { 1, 11, "\xc7\x04\x85\x78\x56\x34\x12\x00\x00\x00\x00", "movl $0x0,0x12345678(,%eax,4)" },
    { 1,  4, "\xc8\x10\x00\x00", "enter $0x10,$0x0" },
    { 1,  4, "\xc8\x34\x12\x03", "enter $0x1234,$0x3" },
    { 1,  1, "\xc9", "leave" },
    { 1,  3, "\xca\x04\x00", "lret $0x4" },
    { 1,  1, "\xcb", "lret" },
    { 1,  1, "\xcc", "int3" },
    { 1,  2, "\xcd\x80", "int $0x80" },
    { 1,  1, "\xce", "into" },
    { 1,  1, "\xcf", "iret" },
    { 1,  2, "\x66\xcf", "iretw" },
    { 1,  2, "\xd0\xc0", "rol %al" },
    { 1,  2, "\xd1\xe0", "shl %eax" },
    { 1,  2, "\xd1\x2b", "shrl (%ebx)" },
    { 1,  2, "\xd3\xfa", "sar %cl,%edx" },
    { 1,  2, "\xd3\x10", "rcll %cl,(%eax)" },
    { 1,  2, "\xd4\x0a", "aam $0xa" },
    { 1,  2, "\xd5\x0a", "aad $0xa" },
    { 1,  2, "\xd4\x10", "aam $0x10" },
    { 1,  1, "\xd7", "xlat %ds:(%ebx)" },
    { 1,  2, "\xd9\x00", "flds (%eax)" },
    { 1,  3, "\xdd\x45\x08", "fldl 0x8(%ebp)" },
    { 1,  2, "\xdd\xd9", "fstp %st(1)" },
    { 1,  2, "\xd8\xc2", "fadd %st(2),%st" },
    { 1,  2, "\xdf\xe0", "fnstsw %ax" },
    { 1,  2, "\xdb\xe3", "fninit" },
    { 1,  3, "\xdf\x3c\x24", "fistpll (%esp)" },
    { 1,  4, "\xd9\x6c\x24\x02", "fldcw 0x2(%esp)" },
    { 1,  2, "\xd9\xcb", "fxch %st(3)" },
    { 1,  2, "\xda\xe9", "fucompp" },
    { 1,  6, "\xdb\x05\x78\x56\x34\x12", "fildl 0x12345678" },
    { 1,  2, "\xe2\x00", "loop 0x1e4" },
    { 1,  2, "\xe0\x00", "loopne 0x1e6" },
    { 1,  2, "\xe1\x00", "loope 0x1e8" },
    { 1,  2, "\xe3\x00", "jecxz 0x1ea" },
    { 1,  2, "\xe4\x60", "in $0x60,%al" },
    { 1,  2, "\xe5\x71", "in $0x71,%eax" },
    { 1,  2, "\xe6\x80", "out %al,$0x80" },
    { 1,  2, "\xe7\x70", "out %eax,$0x70" },
    { 1,  1, "\xec", "in (%dx),%al" },
    { 1,  2, "\x66\xed", "in (%dx),%ax" },
    { 1,  1, "\xed", "in (%dx),%eax" },
    { 1,  1, "\xee", "out %al,(%dx)" },
    { 1,  2, "\x66\xef", "out %ax,(%dx)" },
    { 1,  1, "\xef", "out %eax,(%dx)" },
    { 1,  7, "\xea\x00\x00\x10\x00\x08\x00", "ljmp $0x8,$0x100000" },
    { 1,  6, "\x66\xea\x00\x10\x08\x00", "ljmpw $0x8,$0x1000" },
    { 1,  2, "\xeb\x0e", "jmp 0x217" },
    { 1,  1, "\xf1", "int1" },
    { 1,  1, "\xf4", "hlt" },
    { 1,  1, "\xf5", "cmc" },
    { 1,  3, "\xf6\x00\x01", "testb $0x1,(%eax)" },
    { 1,  7, "\xf7\x43\x04\x00\x00\x01\x00", "testl $0x10000,0x4(%ebx)" },
    { 1,  5, "\x66\xf7\x01\x00\x80", "testw $0x8000,(%ecx)" },
    { 1,  2, "\xf7\x10", "notl (%eax)" },
    { 1,  2, "\xf7\xd8", "neg %eax" },
    { 1,  2, "\xf7\xe1", "mul %ecx" },
    { 1,  2, "\xf7\xeb", "imul %ebx" },
    { 1,  2, "\xf7\xf6", "div %esi" },
    { 1,  4, "\xf7\x7c\x24\x04", "idivl 0x4(%esp)" },
    { 1,  1, "\xf8", "clc" },
    { 1,  1, "\xf9", "stc" },
    { 1,  1, "\xfa", "cli" },
    { 1,  1, "\xfb", "sti" },
    { 1,  1, "\xfc", "cld" },
    { 1,  1, "\xfd", "std" },
    { 1,  2, "\xfe\x00", "incb (%eax)" },
    { 1,  2, "\xff\x0b", "decl (%ebx)" },
    { 1,  4, "\x66\xff\x41\x02", "incw 0x2(%ecx)" },
    { 1,  3, "\xf0\xff\x00", "lock incl (%eax)" },
    { 1,  4, "\xf0\xff\x4a\x10", "lock decl 0x10(%edx)" },
    { 1,  2, "\xff\xd0", "call *%eax" },
    { 1,  3, "\xff\x53\x04", "call *0x4(%ebx)" },
    { 1,  2, "\xff\x18", "lcall *(%eax)" },
    { 1,  2, "\xff\xe1", "jmp *%ecx" },
    { 1,  7, "\xff\x24\x85\x78\x56\x34\x12", "jmp *0x12345678(,%eax,4)" },
    { 1,  2, "\xff\x2b", "ljmp *(%ebx)" },
    { 1,  2, "\xff\x30", "push (%eax)" },
    { 1,  6, "\xff\x35\x78\x56\x34\x12", "push 0x12345678" },
    { 1,  3, "\x0f\x00\xc0", "sldt %eax" },
    { 1,  3, "\x0f\x00\x0b", "str (%ebx)" },
    { 1,  3, "\x0f\x00\xd0", "lldt %ax" },
    { 1,  4, "\x0f\x00\x58\x04", "ltr 0x4(%eax)" },
    { 1,  3, "\x0f\x00\xe0", "verr %ax" },
    { 1,  3, "\x0f\x00\x29", "verw (%ecx)" },
    { 1,  3, "\x0f\x01\x00", "sgdtl (%eax)" },
    { 1,  4, "\x0f\x01\x4b\x04", "sidtl 0x4(%ebx)" },
    { 1,  3, "\x0f\x01\x10", "lgdtl (%eax)" },
    { 1,  7, "\x0f\x01\x1d\x78\x56\x34\x12", "lidtl 0x12345678" },
    { 1,  3, "\x0f\x01\xe0", "smsw %eax" },
    { 1,  3, "\x0f\x01\x23", "smsw (%ebx)" },
    { 1,  3, "\x0f\x01\xf0", "lmsw %ax" },
    { 1,  3, "\x0f\x01\x31", "lmsw (%ecx)" },
    { 1,  3, "\x0f\x01\x38", "invlpg (%eax)" },
    { 1,  8, "\x0f\x01\xbc\x8b\x00\x10\x00\x00", "invlpg 0x1000(%ebx,%ecx,4)" },
    { 1,  7, "\x0f\x01\x3d\x78\x56\x34\x12", "invlpg 0x12345678" },
    { 1,  3, "\x0f\x01\xd8", "vmrun" },
    { 1,  3, "\x0f\x01\xd9", "vmmcall" },
    { 1,  3, "\x0f\x01\xda", "vmload" },
    { 1,  3, "\x0f\x01\xdb", "vmsave" },
    { 1,  3, "\x0f\x01\xdc", "stgi" },
    { 1,  3, "\x0f\x01\xdd", "clgi" },
    { 1,  3, "\x0f\x01\xde", "skinit" },
    { 1,  3, "\x0f\x01\xdf", "invlpga" },
    { 1,  3, "\x0f\x01\xc1", "vmcall" },
    { 1,  3, "\x0f\x01\xc8", "monitor %eax,%ecx,%edx" },
    { 1,  3, "\x0f\x01\xc9", "mwait %eax,%ecx" },
    { 1,  3, "\x0f\x01\xd0", "xgetbv" },
    { 1,  3, "\x0f\x01\xd1", "xsetbv" },
    { 1,  3, "\x0f\x01\xf9", "rdtscp" },
    { 1,  3, "\x0f\x02\xc8", "lar %eax,%ecx" },
    { 1,  3, "\x0f\x03\x10", "lsl (%eax),%edx" },
    { 1,  2, "\x0f\x05", "syscall" },
    { 1,  2, "\x0f\x06", "clts" },
    { 1,  2, "\x0f\x07", "sysret" },
    { 1,  2, "\x0f\x08", "invd" },
    { 1,  2, "\x0f\x09", "wbinvd" },
    { 1,  2, "\x0f\x0b", "ud2" },
    { 1,  3, "\x0f\x0d\x00", "prefetch (%eax)" },
    { 1,  4, "\x0f\x0d\x4b\x04", "prefetchw 0x4(%ebx)" },
    { 1,  2, "\x0f\x0e", "femms" },
    { 1,  4, "\x0f\x0f\xc1\x9e", "pfadd %mm1,%mm0" },
    { 1,  4, "\x0f\x0f\x10\xb4", "pfmul (%eax),%mm2" },
    { 1,  3, "\x0f\x10\x00", "movups (%eax),%xmm0" },
    { 1,  4, "\x0f\x29\x4b\x10", "movaps %xmm1,0x10(%ebx)" },
    { 1,  4, "\xf3\x0f\x11\x00", "movss %xmm0,(%eax)" },
    { 1,  4, "\xf2\x0f\x10\x09", "movsd (%ecx),%xmm1" },
    { 1,  4, "\x66\x0f\x10\xda", "movupd %xmm2,%xmm3" },
    { 1,  3, "\x0f\x18\x00", "prefetchnta (%eax)" },
    { 1,  3, "\x0f\x18\x0b", "prefetcht0 (%ebx)" },
    { 1,  3, "\x0f\x1f\x00", "nopl (%eax)" },
    { 1,  4, "\x0f\x1f\x04\x00", "nopl (%eax,%eax,1)" },
    { 1,  5, "\x66\x0f\x1f\x04\x00", "nopw (%eax,%eax,1)" },
    { 1,  3, "\x0f\x1f\x00", "nopl (%eax)" },
    { 1,  3, "\x0f\x20\xc0", "mov %cr0,%eax" },
    { 1,  3, "\x0f\x20\xdb", "mov %cr3,%ebx" },
    { 1,  3, "\x0f\x20\xe1", "mov %cr4,%ecx" },
    { 1,  3, "\x0f\x20\xd2", "mov %cr2,%edx" },
    { 1,  3, "\x0f\x22\xc0", "mov %eax,%cr0" },
    { 1,  3, "\x0f\x22\xdb", "mov %ebx,%cr3" },
    { 1,  3, "\x0f\x22\xe6", "mov %esi,%cr4" },
    { 1,  3, "\x0f\x22\xdf", "mov %edi,%cr3" },
    { 1,  3, "\x0f\x21\xf8", "mov %db7,%eax" },
    { 1,  3, "\x0f\x23\xc0", "mov %eax,%db0" },
    { 1,  3, "\x0f\x28\xc8", "movaps %xmm0,%xmm1" },
    { 1,  4, "\xf3\x0f\x2a\xc0", "cvtsi2ss %eax,%xmm0" },
    { 1,  3, "\x0f\x2e\xc1", "ucomiss %xmm1,%xmm0" },
    { 1,  2, "\x0f\x30", "wrmsr" },
    { 1,  2, "\x0f\x31", "rdtsc" },
    { 1,  2, "\x0f\x32", "rdmsr" },
    { 1,  2, "\x0f\x33", "rdpmc" },
    { 1,  2, "\x0f\x34", "sysenter" },
    { 1,  2, "\x0f\x35", "sysexit" },
    { 1,  5, "\x66\x0f\x38\x00\xc1", "pshufb %xmm1,%xmm0" },
    { 1,  4, "\x0f\x38\x00\x00", "pshufb (%eax),%mm0" },
    { 1,  4, "\x0f\x38\xf0\x08", "movbe (%eax),%ecx" },
    { 1,  4, "\x0f\x38\xf1\x13", "movbe %edx,(%ebx)" },
    { 1,  5, "\xf2\x0f\x38\xf0\xc8", "crc32 %al,%ecx" },
    { 1,  5, "\xf2\x0f\x38\xf1\x10", "crc32l (%eax),%edx" },
    { 1,  5, "\x66\x0f\x38\x40\xd1", "pmulld %xmm1,%xmm2" },
    { 1,  6, "\x66\x0f\x3a\x0f\xc1\x04", "palignr $0x4,%xmm1,%xmm0" },
    { 1,  6, "\x66\x0f\x3a\x16\xc0\x01", "pextrd $0x1,%xmm0,%eax" },
    { 1,  6, "\x66\x0f\x3a\x08\x00\x01", "roundps $0x1,(%eax),%xmm0" },
    { 1,  6, "\x66\x0f\x3a\x20\x13\x03", "pinsrb $0x3,(%ebx),%xmm2" },
    { 1,  3, "\x0f\x44\xc1", "cmove %ecx,%eax" },
    { 1,  3, "\x0f\x45\x13", "cmovne (%ebx),%edx" },
    { 1,  4, "\x66\x0f\x4f\xd8", "cmovg %ax,%bx" },
    { 1,  3, "\x0f\x60\xc1", "punpcklbw %mm1,%mm0" },
    { 1,  3, "\x0f\x6e\xc0", "movd %eax,%mm0" },
    { 1,  3, "\x0f\x6f\x08", "movq (%eax),%mm1" },
    { 1,  4, "\x66\x0f\x6f\x00", "movdqa (%eax),%xmm0" },
    { 1,  4, "\xf3\x0f\x7f\x0b", "movdqu %xmm1,(%ebx)" },
    { 1,  4, "\x0f\x70\xc1\x1b", "pshufw $0x1b,%mm1,%mm0" },
    { 1,  5, "\x66\x0f\x70\xc1\x1b", "pshufd $0x1b,%xmm1,%xmm0" },
    { 1,  5, "\xf2\x0f\x70\x00\x1b", "pshuflw $0x1b,(%eax),%xmm0" },
    { 1,  4, "\x0f\x71\xd0\x02", "psrlw $0x2,%mm0" },
    { 1,  5, "\x66\x0f\x72\xf1\x03", "pslld $0x3,%xmm1" },
    { 1,  5, "\x66\x0f\x73\xd2\x04", "psrlq $0x4,%xmm2" },
    { 1,  3, "\x0f\x74\xc1", "pcmpeqb %mm1,%mm0" },
    { 1,  2, "\x0f\x77", "emms" },
    { 1,  3, "\x0f\x7e\xc0", "movd %mm0,%eax" },
    { 1,  4, "\x66\x0f\xd6\x00", "movq %xmm0,(%eax)" },
    { 1,  6, "\x0f\x80\xfa\x0f\x00\x00", "jo 0x13be" },
    { 1,  6, "\x0f\x82\xfa\x0f\x00\x00", "jb 0x13c4" },
    { 1,  6, "\x0f\x83\xfa\x0f\x00\x00", "jae 0x13ca" },
    { 1,  6, "\x0f\x88\xfa\xef\xff\xff", "js 0xfffff3d0" },
    { 1,  6, "\x0f\x8e\xfa\x0f\x00\x00", "jle 0x13d6" },
    { 1,  3, "\x0f\x90\xc0", "seto %al" },
    { 1,  3, "\x0f\x95\x03", "setne (%ebx)" },
    { 1,  3, "\x0f\x9f\xc1", "setg %cl" },
    { 1,  2, "\x0f\xa0", "push %fs" },
    { 1,  2, "\x0f\xa1", "pop %fs" },
    { 1,  2, "\x0f\xa2", "cpuid" },
    { 1,  3, "\x0f\xa3\xc3", "bt %eax,%ebx" },
    { 1,  3, "\x0f\xa3\x08", "bt %ecx,(%eax)" },
    { 1,  4, "\x0f\xa4\xc3\x04", "shld $0x4,%eax,%ebx" },
    { 1,  3, "\x0f\xa5\x10", "shld %cl,%edx,(%eax)" },
    { 1,  2, "\x0f\xa8", "push %gs" },
    { 1,  2, "\x0f\xa9", "pop %gs" },
    { 1,  2, "\x0f\xaa", "rsm" },
    { 1,  3, "\x0f\xab\x03", "bts %eax,(%ebx)" },
    { 1,  5, "\xf0\x0f\xab\x48\x04", "lock bts %ecx,0x4(%eax)" },
    { 1,  4, "\x0f\xac\x03\x08", "shrd $0x8,%eax,(%ebx)" },
    { 1,  3, "\x0f\xad\xd0", "shrd %cl,%edx,%eax" },
    { 1,  3, "\x0f\xae\x00", "fxsave (%eax)" },
    { 1,  3, "\x0f\xae\x0b", "fxrstor (%ebx)" },
    { 1,  3, "\x0f\xae\x10", "ldmxcsr (%eax)" },
    { 1,  5, "\x0f\xae\x5c\x24\x04", "stmxcsr 0x4(%esp)" },
    { 1,  3, "\x0f\xae\xe8", "lfence" },
    { 1,  3, "\x0f\xae\xf0", "mfence" },
    { 1,  3, "\x0f\xae\xf8", "sfence" },
    { 1,  3, "\x0f\xae\x38", "clflush (%eax)" },
    { 1,  3, "\x0f\xaf\x03", "imul (%ebx),%eax" },
    { 1,  3, "\x0f\xaf\xd1", "imul %ecx,%edx" },
    { 1,  3, "\x0f\xb0\x0b", "cmpxchg %cl,(%ebx)" },
    { 1,  4, "\xf0\x0f\xb1\x0a", "lock cmpxchg %ecx,(%edx)" },
    { 1,  6, "\x66\xf0\x0f\xb1\x50\x02", "lock cmpxchg %dx,0x2(%eax)" },
    { 1,  3, "\x0f\xb2\x20", "lss (%eax),%esp" },
    { 1,  3, "\x0f\xb3\x03", "btr %eax,(%ebx)" },
    { 1,  4, "\xf0\x0f\xb3\x11", "lock btr %edx,(%ecx)" },
    { 1,  3, "\x0f\xb4\x18", "lfs (%eax),%ebx" },
    { 1,  3, "\x0f\xb5\x11", "lgs (%ecx),%edx" },
    { 1,  3, "\x0f\xb6\x08", "movzbl (%eax),%ecx" },
    { 1,  3, "\x0f\xb7\xd0", "movzwl %ax,%edx" },
    { 1,  4, "\x66\x0f\xb6\xc8", "movzbw %al,%cx" },
    { 1,  4, "\xf3\x0f\xb8\xc8", "popcnt %eax,%ecx" },
    { 1,  4, "\xf3\x0f\xb8\x13", "popcnt (%ebx),%edx" },
    { 1,  3, "\x0f\xb9\xc8", "ud1 %eax,%ecx" },
    { 1,  4, "\x0f\xba\xe0\x03", "bt $0x3,%eax" },
    { 1,  4, "\x0f\xba\x23\x1f", "btl $0x1f,(%ebx)" },
    { 1,  5, "\xf0\x0f\xba\x28\x05", "lock btsl $0x5,(%eax)" },
    { 1,  6, "\xf0\x0f\xba\x71\x04\x00", "lock btrl $0x0,0x4(%ecx)" },
    { 1,  4, "\x0f\xba\x3a\x07", "btcl $0x7,(%edx)" },
    { 1,  5, "\x66\x0f\xba\x28\x03", "btsw $0x3,(%eax)" },
    { 1,  3, "\x0f\xbb\x03", "btc %eax,(%ebx)" },
    { 1,  4, "\xf0\x0f\xbb\x37", "lock btc %esi,(%edi)" },
    { 1,  3, "\x0f\xbc\xc8", "bsf %eax,%ecx" },
    { 1,  3, "\x0f\xbd\x13", "bsr (%ebx),%edx" },
    { 1,  4, "\xf3\x0f\xbc\xc8", "tzcnt %eax,%ecx" },
    { 1,  4, "\xf3\x0f\xbd\x10", "lzcnt (%eax),%edx" },
    { 1,  3, "\x0f\xbe\x03", "movsbl (%ebx),%eax" },
    { 1,  4, "\x0f\xbf\x51\x02", "movswl 0x2(%ecx),%edx" },
    { 1,  3, "\x0f\xc0\x03", "xadd %al,(%ebx)" },
    { 1,  4, "\xf0\x0f\xc1\x01", "lock xadd %eax,(%ecx)" },
    { 1,  5, "\x66\xf0\x0f\xc1\x0a", "lock xadd %cx,(%edx)" },
    { 1,  4, "\x0f\xc2\xc1\x01", "cmpltps %xmm1,%xmm0" },
    { 1,  5, "\xf3\x0f\xc2\x00\x02", "cmpless (%eax),%xmm0" },
    { 1,  3, "\x0f\xc3\x03", "movnti %eax,(%ebx)" },
    { 1,  4, "\x0f\xc4\xc0\x02", "pinsrw $0x2,%eax,%mm0" },
    { 1,  4, "\x0f\xc5\xc0\x01", "pextrw $0x1,%mm0,%eax" },
    { 1,  4, "\x0f\xc6\xc1\x44", "shufps $0x44,%xmm1,%xmm0" },
    { 1,  3, "\x0f\xc7\x08", "cmpxchg8b (%eax)" },
    { 1,  5, "\xf0\x0f\xc7\x4b\x04", "lock cmpxchg8b 0x4(%ebx)" },
    { 1,  5, "\xf0\x0f\xc7\x0c\xce", "lock cmpxchg8b (%esi,%ecx,8)" },
    { 1,  3, "\x0f\xc7\xf0", "rdrand %eax" },
    { 1,  3, "\x0f\xc7\xf9", "rdseed %ecx" },
    { 1,  2, "\x0f\xc8", "bswap %eax" },
    { 1,  2, "\x0f\xcf", "bswap %edi" },
    { 1,  3, "\x0f\xd4\xc1", "paddq %mm1,%mm0" },
    { 1,  4, "\x66\x0f\xf8\x00", "psubb (%eax),%xmm0" },
    { 1,  4, "\x66\x0f\xef\xc0", "pxor %xmm0,%xmm0" },
    { 1,  3, "\x0f\xf5\xc1", "pmaddwd %mm1,%mm0" },
    { 1,  3, "\x0f\xf7\xc1", "maskmovq %mm1,%mm0" },
    { 1,  4, "\xf2\x0f\xf0\x00", "lddqu (%eax),%xmm0" },
    { 1,  3, "\x0f\xff\x00", "ud0 (%eax),%eax" },
    { 1,  4, "\xc5\xec\x58\xd9", "vaddps %ymm1,%ymm2,%ymm3" },
    { 1,  4, "\xc5\xe8\x58\x18", "vaddps (%eax),%xmm2,%xmm3" },
    { 1,  4, "\xc5\xfe\x6f\x00", "vmovdqu (%eax),%ymm0" },
    { 1,  5, "\xc5\xf9\x70\xc1\x1b", "vpshufd $0x1b,%xmm1,%xmm0" },
    { 1,  5, "\xc5\xf1\x71\xd0\x02", "vpsrlw $0x2,%xmm0,%xmm1" },
    { 1,  3, "\xc5\xf8\x77", "vzeroupper" },
    { 1,  3, "\xc5\xfc\x77", "vzeroall" },
    { 1,  6, "\xc4\xe3\x7d\x04\x00\x01", "vpermilps $0x1,(%eax),%ymm0" },
    { 1,  5, "\xc4\xe2\x69\x00\xd9", "vpshufb %xmm1,%xmm2,%xmm3" },
    { 1,  6, "\xc4\xe3\xfd\x00\xc1\x4e", "vpermq $0x4e,%ymm1,%ymm0" },
    { 1,  5, "\xc4\xe2\x7d\x18\x00", "vbroadcastss (%eax),%ymm0" },
    { 1,  5, "\xc4\xe2\x60\xf2\xc8", "andn %eax,%ebx,%ecx" },
    { 1,  5, "\xc5\xe8\xc2\xd9\x01", "vcmpltps %xmm1,%xmm2,%xmm3" },
    { 1,  8, "\xc5\xf9\x7e\x80\x78\x56\x34\x12", "vmovd %xmm0,0x12345678(%eax)" },
    { 1,  2, "\xf3\x90", "pause" },
    { 1,  4, "\x67\x66\x8b\x00", "mov (%bx,%si),%ax" },
    { 1,  4, "\x67\x8b\x46\x12", "mov 0x12(%bp),%eax" },
    { 1,  5, "\x67\x8b\x89\x34\x12", "mov 0x1234(%bx,%di),%ecx" },
    { 1,  5, "\x67\x8b\x16\x34\x12", "mov 0x1234,%edx" },
    { 1,  8, "\x67\xc7\x42\x12\x78\x56\x34\x12", "movl $0x12345678,0x12(%bp,%si)" },
    { 1,  4, "\x67\x8d\x43\x10", "lea 0x10(%bp,%di),%eax" },
    { 1,  2, "\x67\xa4", "movsb %ds:(%si),%es:(%di)" },
    { 1,  3, "\x67\xf3\xab", "rep stos %eax,%es:(%di)" },
    { 1,  4, "\x67\xa0\x34\x12", "addr16 mov 0x1234,%al" },
    { 1,  4, "\x67\xa3\x34\x12", "addr16 mov %eax,0x1234" },
    { 1,  4, "\x67\x0f\x01\x3f", "invlpg (%bx)" },
    { 1,  3, "\x26\x89\x03", "mov %eax,%es:(%ebx)" },
    { 1,  3, "\x2e\x8b\x00", "mov %cs:(%eax),%eax" },
    { 1,  3, "\x36\x89\x03", "mov %eax,%ss:(%ebx)" },
    { 1,  4, "\x3e\x88\x45\x00", "mov %al,%ds:0x0(%ebp)" },
    { 1,  3, "\x64\x8b\x08", "mov %fs:(%eax),%ecx" },
    { 1,  8, "\x65\xc7\x40\x04\x01\x00\x00\x00", "movl $0x1,%gs:0x4(%eax)" },
    { 1,  4, "\x64\xf0\xff\x00", "lock incl %fs:(%eax)" },
    { 1,  5, "\x64\x66\xf0\x87\x03", "lock xchg %ax,%fs:(%ebx)" },
    { 1,  4, "\x66\x89\x40\x04", "mov %ax,0x4(%eax)" },
    { 1,  5, "\x66\xc7\x00\x01\x00", "movw $0x1,(%eax)" },
    { 1,  5, "\x66\x81\x00\x34\x12", "addw $0x1234,(%eax)" },
    { 1,  4, "\x66\x83\x00\x12", "addw $0x12,(%eax)" },
    { 1,  3, "\x66\x09\x03", "or %ax,(%ebx)" },
    { 1,  3, "\x66\x87\x03", "xchg %ax,(%ebx)" },
    { 1,  4, "\x66\x0f\xb1\x03", "cmpxchg %ax,(%ebx)" },
    { 1,  3, "\x66\xf3\xa5", "rep movsw %ds:(%esi),%es:(%edi)" },
    { 1,  4, "\x66\xe9\xfc\x00", "jmpw 0x69f" },
    { 1,  4, "\x66\xe8\xfc\x00", "callw 0x6a3" },
    { 1,  4, "\x66\x68\x34\x12", "pushw $0x1234" },
    { 1,  4, "\x66\xc2\x04\x00", "retw $0x4" },
    { 1,  7, "\x89\x9c\x24\x80\x00\x00\x00", "mov %ebx,0x80(%esp)" },
    { 1,  4, "\x89\x5c\x24\x7f", "mov %ebx,0x7f(%esp)" },
    { 1,  4, "\x89\x5c\x04\x80", "mov %ebx,-0x80(%esp,%eax,1)" },
    { 1,  7, "\x89\x9c\x44\x00\x10\x00\x00", "mov %ebx,0x1000(%esp,%eax,2)" },
    { 1,  3, "\x89\x5d\x00", "mov %ebx,0x0(%ebp)" },
    { 1,  4, "\x89\x5c\x05\x00", "mov %ebx,0x0(%ebp,%eax,1)" },
    { 1,  7, "\x89\x1c\x2d\x00\x00\x00\x00", "mov %ebx,0x0(,%ebp,1)" },
    { 1,  7, "\x89\x1c\xed\x78\x56\x34\x12", "mov %ebx,0x12345678(,%ebp,8)" },
    { 1,  3, "\x89\x04\x24", "mov %eax,(%esp)" },
    { 1,  3, "\x89\x04\xb2", "mov %eax,(%edx,%esi,4)" },
    { 1,  4, "\x89\x44\xfb\x04", "mov %eax,0x4(%ebx,%edi,8)" },
    { 1,  5, "\xf0\x83\x04\x24\x01", "lock addl $0x1,(%esp)" },
    { 1,  4, "\xf0\xff\x04\x24", "lock incl (%esp)" },
    { 1,  5, "\xf0\x83\x68\x14\x01", "lock subl $0x1,0x14(%eax)" },
    { 1,  3, "\x0f\x23\xd8", "mov %eax,%db3" },
    { 1,  3, "\x0f\x21\xf1", "mov %db6,%ecx" },
    { 1,  6, "\xc7\xf8\xfa\x00\x00\x00", "xbegin 0x6f8" },
    { 1,  3, "\xc6\xf8\x01", "xabort $0x1" },
    { 1,  3, "\x0f\x01\xd5", "xend" },
    { 1,  3, "\x0f\x01\xd6", "xtest" },
    { 1,  3, "\x0f\x01\xca", "clac" },
    { 1,  3, "\x0f\x01\xcb", "stac" },
    { 1,  3, "\x0f\x01\xfa", "monitorx %eax,%ecx,%edx" },
    { 1,  3, "\x0f\x01\xfb", "mwaitx %eax,%ecx,%ebx" },
    { 1,  3, "\x0f\x01\xfc", "clzero" },
    { 1,  4, "\xf3\x0f\xc7\xf8", "rdpid %eax" },
    { 1,  4, "\x66\x0f\xae\x38", "clflushopt (%eax)" },
    { 1,  4, "\x66\x0f\xae\x33", "clwb (%ebx)" },
    { 1,  3, "\x0f\xae\x20", "xsave (%eax)" },
    { 1,  3, "\x0f\xae\x2b", "xrstor (%ebx)" },
    { 1,  3, "\x0f\xae\x31", "xsaveopt (%ecx)" },
    { 1,  3, "\xf3\x0f\x09", "wbnoinvd" },
    { 1,  1, "\xd6", "salc" },
    { 1,  2, "\xdf\x08", "fisttps (%eax)" },
    { 1,  2, "\xd9\xfb", "fsincos" },
    { 1,  2, "\xdd\x20", "frstor (%eax)" },
    { 1,  3, "\xdd\x73\x04", "fnsave 0x4(%ebx)" },
    { 1,  6, "\x66\x0f\x78\xc0\x02\x01", "extrq $0x1,$0x2,%xmm0" },
    { 1,  6, "\xf2\x0f\x78\xc1\x02\x01", "insertq $0x1,$0x2,%xmm1,%xmm0" },
    { 1,  4, "\x66\x0f\x79\xc1", "extrq %xmm1,%xmm0" },
    { 1,  4, "\xf0\x0f\x22\xc0", "mov %eax,%cr8" },
    { 1,  4, "\xf0\x0f\x20\xc1", "mov %cr8,%ecx" },
    { 1,  3, "\x26\xf3\xa4", "rep movsb %es:(%esi),%es:(%edi)" },
    { 1,  7, "\x2e\x66\x67\xf0\xff\x47\x12", "lock incw %cs:0x12(%bx)" },
    { 1,  4, "\x64\x65\x8b\x00", "fs mov %gs:(%eax),%eax" },
    { 1,  4, "\xc5\xf8\x28\xd1", "vmovaps %xmm1,%xmm2" },
    { 1,  6, "\xc4\xe3\x69\x02\xd9\x03", "vpblendd $0x3,%xmm1,%xmm2,%xmm3" },
    { 1,  6, "\xc4\xe3\x79\x16\x00\x01", "vpextrd $0x1,%xmm0,(%eax)" },
    { 0,  2, "\x89\x00", "mov %ax,(%bx,%si)" },
    { 0,  2, "\x89\x01", "mov %ax,(%bx,%di)" },
    { 0,  2, "\x89\x02", "mov %ax,(%bp,%si)" },
    { 0,  2, "\x89\x03", "mov %ax,(%bp,%di)" },
    { 0,  2, "\x89\x04", "mov %ax,(%si)" },
    { 0,  2, "\x89\x05", "mov %ax,(%di)" },
    { 0,  3, "\xa3\x34\x12", "mov %ax,0x1234" },
    { 0,  2, "\x89\x07", "mov %ax,(%bx)" },
    { 0,  3, "\x88\x40\x12", "mov %al,0x12(%bx,%si)" },
    { 0,  3, "\x89\x4e\xf0", "mov %cx,-0x10(%bp)" },
    { 0,  4, "\x89\x93\x34\x12", "mov %dx,0x1234(%bp,%di)" },
    { 0,  4, "\x89\x87\x34\x12", "mov %ax,0x1234(%bx)" },
    { 0,  4, "\xc7\x07\x34\x12", "movw $0x1234,(%bx)" },
    { 0,  5, "\xc7\x46\x10\x34\x12", "movw $0x1234,0x10(%bp)" },
    { 0,  5, "\xc6\x84\x34\x12\x12", "movb $0x12,0x1234(%si)" },
    { 0,  7, "\x66\xc7\x05\x78\x56\x34\x12", "movl $0x12345678,(%di)" },
    { 0,  3, "\x66\x89\x07", "mov %eax,(%bx)" },
    { 0,  3, "\x05\x34\x12", "add $0x1234,%ax" },
    { 0,  6, "\x66\x05\x78\x56\x34\x12", "add $0x12345678,%eax" },
    { 0,  3, "\x83\x07\x12", "addw $0x12,(%bx)" },
    { 0,  4, "\x66\x83\x08\x01", "orl $0x1,(%bx,%si)" },
    { 0,  4, "\xf0\x80\x0f\x01", "lock orb $0x1,(%bx)" },
    { 0,  2, "\x87\x07", "xchg %ax,(%bx)" },
    { 0,  3, "\x0f\xb1\x04", "cmpxchg %ax,(%si)" },
    { 0,  5, "\x66\xf0\x0f\xb1\x05", "lock cmpxchg %eax,(%di)" },
    { 0,  3, "\x0f\xc7\x0f", "cmpxchg8b (%bx)" },
    { 0,  3, "\x0f\xab\x07", "bts %ax,(%bx)" },
    { 0,  5, "\x66\x0f\xba\x2f\x03", "btsl $0x3,(%bx)" },
    { 0,  3, "\xa0\x34\x12", "mov 0x1234,%al" },
    { 0,  3, "\xa1\x34\x12", "mov 0x1234,%ax" },
    { 0,  3, "\xa2\x34\x12", "mov %al,0x1234" },
    { 0,  3, "\xa3\x34\x12", "mov %ax,0x1234" },
    { 0,  4, "\x66\xa3\x34\x12", "mov %eax,0x1234" },
    { 0,  1, "\xa4", "movsb %ds:(%si),%es:(%di)" },
    { 0,  1, "\xa5", "movsw %ds:(%si),%es:(%di)" },
    { 0,  2, "\x66\xa5", "movsl %ds:(%si),%es:(%di)" },
    { 0,  2, "\xf3\xa5", "rep movsw %ds:(%si),%es:(%di)" },
    { 0,  2, "\xf3\xaa", "rep stos %al,%es:(%di)" },
    { 0,  3, "\x66\xf3\xab", "rep stos %eax,%es:(%di)" },
    { 0,  3, "\x68\x34\x12", "push $0x1234" },
    { 0,  2, "\x6a\x12", "push $0x12" },
    { 0,  6, "\x66\x68\x78\x56\x34\x12", "pushl $0x12345678" },
    { 0,  3, "\xe9\xfd\x00", "jmp 0x186" },
    { 0,  3, "\xe8\xfd\x00", "call 0x189" },
    { 0,  4, "\x0f\x84\xfc\x00", "je 0x18c" },
    { 0,  2, "\xeb\x00", "jmp 0x92" },
    { 0,  5, "\x9a\x34\x12\x10\x00", "lcall $0x10,$0x1234" },
    { 0,  5, "\xea\x5b\xe0\x00\xf0", "ljmp $0xf000,$0xe05b" },
    { 0,  8, "\x66\xea\x78\x56\x34\x12\x08\x00", "ljmpl $0x8,$0x12345678" },
    { 0,  3, "\xc2\x04\x00", "ret $0x4" },
    { 0,  4, "\xc8\x08\x00\x01", "enter $0x8,$0x1" },
    { 0,  2, "\xcd\x10", "int $0x10" },
    { 0,  1, "\xcf", "iret" },
    { 0,  2, "\xe4\x60", "in $0x60,%al" },
    { 0,  2, "\xe6\x80", "out %al,$0x80" },
    { 0,  1, "\xed", "in (%dx),%ax" },
    { 0,  2, "\x66\xef", "out %eax,(%dx)" },
    { 0,  3, "\x0f\x20\xc0", "mov %cr0,%eax" },
    { 0,  3, "\x0f\x22\xc0", "mov %eax,%cr0" },
    { 0,  3, "\x0f\x22\xd8", "mov %eax,%cr3" },
    { 0,  3, "\x0f\x01\xf0", "lmsw %ax" },
    { 0,  3, "\x0f\x01\xe0", "smsw %ax" },
    { 0,  2, "\x0f\x06", "clts" },
    { 0,  3, "\x0f\x01\x3f", "invlpg (%bx)" },
    { 0,  5, "\x0f\x01\x3e\x34\x12", "invlpg 0x1234" },
    { 0,  2, "\x0f\xa2", "cpuid" },
    { 0,  2, "\x0f\x32", "rdmsr" },
    { 0,  2, "\x0f\x30", "wrmsr" },
    { 0,  2, "\x0f\x31", "rdtsc" },
    { 0,  1, "\xf4", "hlt" },
    { 0,  3, "\x0f\x01\xd8", "vmrun" },
    { 0,  3, "\x0f\x01\xd9", "vmmcall" },
    { 0,  3, "\x0f\x01\x17", "lgdtw (%bx)" },
    { 0,  5, "\x66\x0f\x01\x5c\x12", "lidtl 0x12(%si)" },
    { 0,  9, "\x67\x66\x8b\x0c\x85\x12\x00\x00\x00", "mov 0x12(,%eax,4),%ecx" },
    { 0,  3, "\x67\x8b\x00", "mov (%eax),%ax" },
    { 0,  8, "\x67\x8b\x94\x4b\x78\x56\x34\x12", "mov 0x12345678(%ebx,%ecx,2),%dx" },
    { 0, 10, "\x67\x66\xc7\x44\x24\x04\x78\x56\x34\x12", "movl $0x12345678,0x4(%esp)" },
    { 0,  2, "\xff\x07", "incw (%bx)" },
    { 0,  3, "\xfe\x4a\x12", "decb 0x12(%bp,%si)" },
    { 0,  3, "\xa9\x34\x12", "test $0x1234,%ax" },
    { 0,  4, "\xf7\x07\x34\x12", "testw $0x1234,(%bx)" },
    { 0,  7, "\x66\xf7\x07\x78\x56\x34\x12", "testl $0x12345678,(%bx)" },
    { 0,  3, "\xf6\x07\x12", "testb $0x12,(%bx)" },
    { 0,  4, "\x69\xd8\x34\x12", "imul $0x1234,%ax,%bx" },
    { 0,  3, "\x6b\x0f\x12", "imul $0x12,(%bx),%cx" },
    { 0,  3, "\x0f\xb6\x07", "movzbw (%bx),%ax" },
    { 0,  3, "\x0f\xc1\x07", "xadd %ax,(%bx)" },
    { 0,  3, "\x0f\xb2\x27", "lss (%bx),%sp" },
    { 0,  2, "\x26\xa4", "movsb %es:(%si),%es:(%di)" },
    { 0,  3, "\x64\x8b\x07", "mov %fs:(%bx),%ax" },
    { 0,  3, "\x36\x8b\x07", "mov %ss:(%bx),%ax" },
    { 0,  4, "\x2e\x8b\x46\x00", "mov %cs:0x0(%bp),%ax" },
};

#define PAD_BYTE 0xCC      // what follows each instruction: must not be consumed

// Every table encoding decodes to its length with trailing bytes present, and reports
// truncation when its last byte is missing.
TEST(decode_length_table)
{
    int bad = 0;
    for (size_t i = 0; i < ARRAY_SIZE(len_cases); i++) {
        const struct len_case *lc = &len_cases[i];
        u8 buf[INSN_MAX_LEN + 1];
        memset(buf, PAD_BYTE, sizeof buf);
        memcpy(buf, lc->bytes, (size_t)lc->len);
        // The truncated copy is exactly as long as it says, so ASan catches an overread.
        u8 *cut_bytes = malloc((size_t)MAX(lc->len - 1, 1));
        memcpy(cut_bytes, lc->bytes, (size_t)lc->len - 1);
        struct insn in, cut;
        int rc = decode_insn(buf, INSN_MAX_LEN, lc->default32, &in);
        int trunc = decode_insn(cut_bytes, lc->len - 1, lc->default32, &cut);
        free(cut_bytes);
        if (rc != 0 || in.len != lc->len || trunc != DECODE_ETRUNC) {
            printf("  %-40s mode%d: rc=%d len=%d want %d, truncated rc=%d\n", lc->text,
                   lc->default32 ? 32 : 16, rc, in.len, lc->len, trunc);
            bad++;
        }
    }
    CHECK_EQ(bad, 0);
    CHECK(ARRAY_SIZE(len_cases) > 500);
}

// Decode `n` bytes (padded so nothing past them matters) in the given mode.
static int dec(const char *bytes, int n, int default32, struct insn *in)
{
    u8 buf[INSN_MAX_LEN + 1];
    memset(buf, PAD_BYTE, sizeof buf);
    memcpy(buf, bytes, (size_t)n);
    return decode_insn(buf, INSN_MAX_LEN, default32, in);
}
#define DEC32(lit, in) dec(lit, sizeof(lit) - 1, 1, in)
#define DEC16(lit, in) dec(lit, sizeof(lit) - 1, 0, in)

// One expected classification.
struct class_case {
    const char *bytes;
    int n;
    int cls;
};
#define CC(lit, cls) { lit, sizeof(lit) - 1, cls }

static const struct class_case class_cases[] = {
    CC("\x0f\x22\xd8", INSN_MOV_TO_CR), CC("\x0f\x20\xe1", INSN_MOV_FROM_CR),
    CC("\x0f\x23\xc0", INSN_MOV_TO_DR), CC("\x0f\x21\xf9", INSN_MOV_FROM_DR),
    CC("\x0f\x06", INSN_CLTS), CC("\x0f\x01\xf0", INSN_LMSW), CC("\x0f\x01\x31", INSN_LMSW),
    CC("\x0f\x01\xe0", INSN_SMSW), CC("\x0f\x01\x23", INSN_SMSW),
    CC("\x0f\x01\x38", INSN_INVLPG), CC("\xf4", INSN_HLT), CC("\x0f\xa2", INSN_CPUID),
    CC("\x0f\x32", INSN_RDMSR), CC("\x0f\x30", INSN_WRMSR), CC("\x0f\x31", INSN_RDTSC),
    CC("\x0f\x01\xf9", INSN_RDTSCP), CC("\x0f\x33", INSN_RDPMC), CC("\x0f\x08", INSN_INVD),
    CC("\x0f\x09", INSN_WBINVD),
    CC("\xe4\x60", INSN_IN), CC("\xe5\x60", INSN_IN), CC("\xec", INSN_IN), CC("\xed", INSN_IN),
    CC("\xe6\x80", INSN_OUT), CC("\xe7\x80", INSN_OUT), CC("\xee", INSN_OUT),
    CC("\xef", INSN_OUT), CC("\x6c", INSN_INS), CC("\xf3\x6d", INSN_INS),
    CC("\x6e", INSN_OUTS), CC("\xf3\x6f", INSN_OUTS),
    CC("\xf3\x90", INSN_PAUSE), CC("\x90", INSN_OTHER), CC("\xcc", INSN_INT3),
    CC("\xcd\x80", INSN_INT), CC("\xcf", INSN_IRET),
    CC("\x0f\x01\xd8", INSN_VMRUN), CC("\x0f\x01\xd9", INSN_VMMCALL),
    CC("\x0f\x01\xda", INSN_VMLOAD), CC("\x0f\x01\xdb", INSN_VMSAVE),
    CC("\x0f\x01\xdc", INSN_STGI), CC("\x0f\x01\xdd", INSN_CLGI),
    CC("\x0f\x01\xde", INSN_SKINIT), CC("\x0f\x01\xdf", INSN_INVLPGA),
    CC("\x0f\x01\xc1", INSN_VMCALL), CC("\x0f\x01\xc8", INSN_MONITOR),
    CC("\x0f\x01\xc9", INSN_MWAIT), CC("\x0f\x01\xd1", INSN_XSETBV),
    CC("\x0f\x01\xd0", INSN_OTHER), CC("\x0f\x01\x10", INSN_OTHER),   // xgetbv, lgdt
    // Memory-writing forms, and their register or read-only twins.
    CC("\x88\x03", INSN_MOV_STORE), CC("\x89\x00", INSN_MOV_STORE), CC("\x89\xc0", INSN_OTHER),
    CC("\xc6\x00\x12", INSN_MOV_STORE), CC("\xc7\x00\x01\x00\x00\x00", INSN_MOV_STORE),
    CC("\xc7\xc0\x01\x00\x00\x00", INSN_OTHER), CC("\xa2\x00\x10\x00\x00", INSN_MOV_STORE),
    CC("\xa3\x00\x10\x00\x00", INSN_MOV_STORE), CC("\xa1\x00\x10\x00\x00", INSN_OTHER),
    CC("\x8b\x00", INSN_OTHER),
    CC("\x86\x03", INSN_XCHG), CC("\x87\x02", INSN_XCHG), CC("\x87\xc8", INSN_OTHER),
    CC("\xf0\x0f\xb1\x0a", INSN_CMPXCHG), CC("\x0f\xb0\x0b", INSN_CMPXCHG),
    CC("\x0f\xb1\xca", INSN_OTHER), CC("\xf0\x0f\xc7\x08", INSN_CMPXCHG8B),
    CC("\x0f\xc7\x30", INSN_OTHER), CC("\x0f\xc1\x01", INSN_XADD), CC("\x0f\xc0\x03", INSN_XADD),
    CC("\x01\x00", INSN_ALU), CC("\x08\x00", INSN_ALU), CC("\x11\x00", INSN_ALU),
    CC("\x19\x00", INSN_ALU), CC("\x21\x00", INSN_ALU), CC("\x29\x00", INSN_ALU),
    CC("\x31\x00", INSN_ALU), CC("\x39\x00", INSN_OTHER), CC("\x03\x00", INSN_OTHER),
    CC("\x01\xc0", INSN_OTHER), CC("\xf0\x80\x20\xdf", INSN_ALU),
    CC("\x81\x08\x00\x01\x00\x00", INSN_ALU), CC("\x83\x28\x01", INSN_ALU),
    CC("\x83\x38\x01", INSN_OTHER), CC("\x82\x08\x01", INSN_ALU),
    CC("\x0f\xab\x03", INSN_BITOP), CC("\x0f\xb3\x03", INSN_BITOP),
    CC("\x0f\xbb\x03", INSN_BITOP), CC("\x0f\xa3\x03", INSN_OTHER),
    CC("\x0f\xba\x28\x05", INSN_BITOP), CC("\x0f\xba\x30\x05", INSN_BITOP),
    CC("\x0f\xba\x38\x05", INSN_BITOP), CC("\x0f\xba\x20\x05", INSN_OTHER),
    CC("\x0f\xba\xe8\x05", INSN_OTHER),
    CC("\xfe\x00", INSN_INCDEC), CC("\xff\x08", INSN_INCDEC), CC("\xff\x10", INSN_OTHER),
    CC("\xff\xc0", INSN_OTHER), CC("\xa4", INSN_MOVS), CC("\xf3\xa5", INSN_MOVS),
    CC("\xaa", INSN_STOS), CC("\xf3\xab", INSN_STOS), CC("\xad", INSN_OTHER),
    CC("\xf7\x10", INSN_NOTNEG), CC("\xf6\x18", INSN_NOTNEG), CC("\xf7\xd0", INSN_OTHER),
    CC("\xf7\x20", INSN_OTHER), CC("\x0f\x94\x00", INSN_SETCC), CC("\x0f\x94\xc0", INSN_OTHER),
    CC("\x8f\x00", INSN_POP_MEM), CC("\x8f\xc0", INSN_OTHER),
    CC("\xc5\xf8\x28\xd1", INSN_OTHER),
};

TEST(decode_classes)
{
    for (size_t i = 0; i < ARRAY_SIZE(class_cases); i++) {
        struct insn in;
        CHECK_EQ(dec(class_cases[i].bytes, class_cases[i].n, 1, &in), 0);
        CHECK_EQ(in.len, class_cases[i].n);
        if (in.cls != class_cases[i].cls)
            printf("  case %zu: class %d, want %d\n", i, in.cls, class_cases[i].cls);
        CHECK_EQ(in.cls, class_cases[i].cls);
    }
}

TEST(decode_mov_cr_fields)
{
    struct insn in;
    CHECK_EQ(DEC32("\x0f\x22\xd8", &in), 0);          // mov %eax,%cr3
    CHECK_EQ(in.cr, 3);
    CHECK_EQ(in.rm, INSN_EAX);
    CHECK(!in.has_mem);
    CHECK_EQ(DEC32("\x0f\x20\xe1", &in), 0);          // mov %cr4,%ecx
    CHECK_EQ(in.cls, INSN_MOV_FROM_CR);
    CHECK_EQ(in.cr, 4);
    CHECK_EQ(in.rm, INSN_ECX);
    // MOV CR ignores mod: 0F 22 18 is still a 3-byte register move (mov %eax,%cr3).
    CHECK_EQ(DEC32("\x0f\x22\x18\x44\x44\x44\x44", &in), 0);
    CHECK_EQ(in.len, 3);
    CHECK_EQ(in.cr, 3);
    CHECK(!in.has_mem);
    CHECK_EQ(DEC32("\xf0\x0f\x22\xc7", &in), 0);      // AMD's LOCK alias: mov %edi,%cr8
    CHECK_EQ(in.cr, 8);
    CHECK_EQ(in.rm, INSN_EDI);
    CHECK_EQ(DEC16("\x0f\x22\xd8", &in), 0);          // same in 16-bit code
    CHECK_EQ(in.cr, 3);
    CHECK_EQ(DEC32("\x0f\x23\xfb", &in), 0);          // mov %ebx,%db7
    CHECK_EQ(in.cls, INSN_MOV_TO_DR);
    CHECK_EQ(in.cr, 7);
    CHECK_EQ(in.rm, INSN_EBX);
}

TEST(decode_invlpg_operand)
{
    struct insn in;
    u32 gpr[8] = { 0 };
    gpr[INSN_EBX] = 0x10000;
    gpr[INSN_ECX] = 3;
    CHECK_EQ(DEC32("\x0f\x01\xbc\x8b\x00\x10\x00\x00", &in), 0);   // invlpg 0x1000(%ebx,%ecx,4)
    CHECK_EQ(in.cls, INSN_INVLPG);
    CHECK_EQ(in.len, 8);
    CHECK(in.has_sib);
    CHECK_EQ(in.mem.base, INSN_EBX);
    CHECK_EQ(in.mem.index, INSN_ECX);
    CHECK_EQ(in.mem.scale, 4);
    CHECK_EQ(in.mem.disp, 0x1000);
    CHECK_EQ(in.mem.seg, INSN_SEG_DS);
    CHECK_EQ(decode_ea(&in, gpr), 0x1100c);
    CHECK_EQ(DEC32("\x0f\x01\x3d\x78\x56\x34\x12", &in), 0);       // invlpg 0x12345678
    CHECK_EQ(in.mem.base, INSN_REG_NONE);
    CHECK_EQ(decode_ea(&in, gpr), 0x12345678);
    CHECK_EQ(DEC16("\x0f\x01\x3f", &in), 0);                       // invlpg (%bx)
    CHECK_EQ(in.cls, INSN_INVLPG);
    CHECK_EQ(in.addrsize, 2);
    CHECK_EQ(decode_ea(&in, gpr), 0);
}

TEST(decode_default_segments)
{
    struct insn in;
    CHECK_EQ(DEC32("\x89\x45\x08", &in), 0);          // mov %eax,0x8(%ebp)
    CHECK_EQ(in.mem.seg, INSN_SEG_SS);
    CHECK_EQ(DEC32("\x89\x04\x24", &in), 0);          // mov %eax,(%esp)
    CHECK_EQ(in.mem.seg, INSN_SEG_SS);
    CHECK_EQ(DEC32("\x89\x04\xed\x78\x56\x34\x12", &in), 0);   // mov %eax,0x12345678(,%ebp,8)
    CHECK_EQ(in.mem.base, INSN_REG_NONE);
    CHECK_EQ(in.mem.index, INSN_EBP);
    CHECK_EQ(in.mem.seg, INSN_SEG_DS);
    CHECK_EQ(DEC32("\x89\x44\x05\x00", &in), 0);      // mov %eax,0x0(%ebp,%eax,1)
    CHECK_EQ(in.mem.seg, INSN_SEG_SS);
    CHECK_EQ(DEC32("\x89\x2c\x28", &in), 0);          // mov %ebp,(%eax,%ebp,1)
    CHECK_EQ(in.mem.seg, INSN_SEG_DS);
    CHECK_EQ(DEC32("\x64\x89\x45\x08", &in), 0);      // fs override beats the SS default
    CHECK_EQ(in.mem.seg, INSN_SEG_FS);
    CHECK_EQ(in.seg_override, INSN_SEG_FS);
    CHECK_EQ(DEC32("\x64\x65\x8b\x00", &in), 0);      // the last override wins
    CHECK_EQ(in.mem.seg, INSN_SEG_GS);
    CHECK_EQ(DEC16("\x89\x02", &in), 0);              // mov %ax,(%bp,%si)
    CHECK_EQ(in.mem.seg, INSN_SEG_SS);
    CHECK_EQ(in.mem.base, INSN_EBP);
    CHECK_EQ(in.mem.index, INSN_ESI);
    CHECK_EQ(DEC16("\x89\x06\x34\x12", &in), 0);      // mov %ax,0x1234: no base, DS
    CHECK_EQ(in.mem.seg, INSN_SEG_DS);
    CHECK_EQ(in.mem.base, INSN_REG_NONE);
    CHECK_EQ(in.mem.disp, 0x1234);
    CHECK_EQ(DEC16("\x89\x46\x00", &in), 0);          // mov %ax,0x0(%bp)
    CHECK_EQ(in.mem.seg, INSN_SEG_SS);
    CHECK_EQ(DEC32("\x67\x89\x03", &in), 0);          // addr16 mov %eax,(%bp,%di)
    CHECK_EQ(in.mem.seg, INSN_SEG_SS);
    CHECK_EQ(in.opsize, 4);
    CHECK_EQ(in.addrsize, 2);
}

TEST(decode_ea_arithmetic)
{
    struct insn in;
    u32 gpr[8] = { 0 };
    gpr[INSN_ESP] = 0x1000;
    gpr[INSN_EAX] = 0x10;
    CHECK_EQ(DEC32("\x89\x5c\x04\x80", &in), 0);      // mov %ebx,-0x80(%esp,%eax,1)
    CHECK_EQ(in.disp_size, 1);
    CHECK_EQ(in.disp, -0x80);
    CHECK_EQ(decode_ea(&in, gpr), 0x1000 + 0x10 - 0x80);
    gpr[INSN_EBX] = 0xFFFF;
    gpr[INSN_ESI] = 0x12340002;                       // high half ignored by 16-bit addressing
    CHECK_EQ(DEC16("\x89\x00", &in), 0);              // mov %ax,(%bx,%si): wraps at 64 KiB
    CHECK_EQ(decode_ea(&in, gpr), 1);
    CHECK_EQ(DEC16("\x89\x47\xfe", &in), 0);          // mov %ax,-0x2(%bx)
    CHECK_EQ(decode_ea(&in, gpr), 0xFFFD);
    gpr[INSN_EBX] = 0xFFFFFFF0;
    CHECK_EQ(DEC32("\x89\x43\x20", &in), 0);          // 32-bit addresses wrap at 4 GiB
    CHECK_EQ(decode_ea(&in, gpr), 0x10);
    CHECK_EQ(DEC32("\x90", &in), 0);
    CHECK_EQ(decode_ea(&in, gpr), 0);
}

TEST(decode_moffs_and_immediates)
{
    struct insn in;
    CHECK_EQ(DEC32("\xa3\x78\x56\x34\x12", &in), 0);  // mov %eax,0x12345678
    CHECK(in.has_mem);
    CHECK_EQ(in.mem.disp, 0x12345678);
    CHECK_EQ(in.mem.seg, INSN_SEG_DS);
    CHECK_EQ(in.width, 4);
    CHECK_EQ(DEC32("\x67\xa2\x34\x12", &in), 0);      // addr16 mov %al,0x1234
    CHECK_EQ(in.len, 4);
    CHECK_EQ(in.mem.disp, 0x1234);
    CHECK_EQ(in.width, 1);
    CHECK_EQ(DEC32("\xc8\x34\x12\x03", &in), 0);      // enter $0x1234,$0x3
    CHECK_EQ(in.imm, 0x1234);
    CHECK_EQ(in.imm_size, 2);
    CHECK_EQ(in.imm2, 3);
    CHECK_EQ(in.imm2_size, 1);
    CHECK_EQ(DEC32("\x9a\x78\x56\x34\x12\x10\x00", &in), 0);   // lcall $0x10,$0x12345678
    CHECK_EQ(in.imm, 0x12345678);
    CHECK_EQ(in.imm2, 0x10);
    CHECK_EQ(DEC16("\xea\x5b\xe0\x00\xf0", &in), 0);  // ljmp $0xf000,$0xe05b
    CHECK_EQ(in.imm, 0xe05b);
    CHECK_EQ(in.imm2, 0xf000);
    CHECK_EQ(DEC32("\x83\x00\xff", &in), 0);          // addl $-1,(%eax): raw byte kept
    CHECK_EQ(in.imm, 0xff);
    CHECK_EQ(in.imm_size, 1);
    CHECK_EQ(DEC32("\x66\xc7\x00\x34\x12", &in), 0);  // movw $0x1234,(%eax)
    CHECK_EQ(in.imm, 0x1234);
    CHECK_EQ(in.width, 2);
    CHECK_EQ(DEC32("\xf6\x00\x12", &in), 0);          // testb $0x12,(%eax)
    CHECK_EQ(in.len, 3);
    CHECK_EQ(DEC32("\xf6\x10", &in), 0);              // notb (%eax): no immediate
    CHECK_EQ(in.len, 2);
    CHECK_EQ(in.imm_size, 0);
    CHECK_EQ(DEC32("\x0f\xba\x28\x05", &in), 0);      // btsl $5,(%eax)
    CHECK_EQ(in.imm, 5);
}

TEST(decode_prefixes_and_sizes)
{
    struct insn in;
    CHECK_EQ(DEC32("\xf3\xab", &in), 0);
    CHECK_EQ(in.rep, 0xF3);
    CHECK(in.prefixes & INSN_PFX_REP);
    CHECK_EQ(in.opsize, 4);
    CHECK_EQ(DEC32("\xf0\x0f\xb1\x0a", &in), 0);
    CHECK(in.lock);
    CHECK_EQ(in.map, INSN_MAP_0F);
    CHECK_EQ(in.opcode, 0xB1);
    CHECK_EQ(in.reg, INSN_ECX);
    CHECK_EQ(in.mem.base, INSN_EDX);
    CHECK_EQ(DEC32("\x2e\x66\x67\xf0\xff\x47\x12", &in), 0);   // cs lock incw 0x12(%bx)
    CHECK_EQ(in.len, 7);
    CHECK_EQ(in.opsize, 2);
    CHECK_EQ(in.addrsize, 2);
    CHECK_EQ(in.mem.seg, INSN_SEG_CS);
    CHECK_EQ(in.cls, INSN_INCDEC);
    CHECK_EQ(DEC16("\x66\xab", &in), 0);              // 66 in 16-bit code: 32-bit operands
    CHECK_EQ(in.opsize, 4);
    CHECK_EQ(in.addrsize, 2);
    CHECK_EQ(DEC16("\xb8\x34\x12", &in), 0);          // mov $0x1234,%ax
    CHECK_EQ(in.len, 3);
    CHECK_EQ(DEC32("\x66\x0f\x38\x00\xc1", &in), 0);  // pshufb: three-byte map
    CHECK_EQ(in.map, INSN_MAP_0F38);
    CHECK_EQ(DEC32("\x66\x0f\x3a\x0f\xc1\x04", &in), 0);
    CHECK_EQ(in.map, INSN_MAP_0F3A);
    CHECK_EQ(in.imm, 4);
    CHECK_EQ(DEC32("\xc4\xe3\x79\x16\x00\x01", &in), 0);       // VEX.0F3A vpextrd
    CHECK(in.prefixes & INSN_PFX_VEX);
    CHECK_EQ(in.map, INSN_MAP_0F3A);
    CHECK_EQ(in.opcode, 0x16);
    CHECK_EQ(DEC32("\xc4\x00", &in), 0);              // les (%eax),%eax, not VEX
    CHECK_EQ(in.len, 2);
    CHECK_EQ(in.map, INSN_MAP_1);
}

TEST(decode_errors)
{
    struct insn in;
    CHECK_EQ(DEC32("\x0f\x04", &in), DECODE_EINVAL);
    CHECK_EQ(DEC32("\x0f\x0a", &in), DECODE_EINVAL);
    CHECK_EQ(DEC32("\x0f\x24\xc0", &in), DECODE_EINVAL);
    CHECK_EQ(DEC32("\x0f\x36", &in), DECODE_EINVAL);
    CHECK_EQ(DEC32("\xfe\xd0", &in), DECODE_EINVAL);  // FE /2
    CHECK_EQ(DEC32("\xff\xf8", &in), DECODE_EINVAL);  // FF /7
    CHECK_EQ(DEC32("\x8f\xc8", &in), DECODE_EINVAL);  // 8F /1 (XOP)
    CHECK_EQ(DEC32("\x66\xc5\xf8\x77", &in), DECODE_EINVAL);   // 66 before VEX
    CHECK_EQ(DEC32("\xc4\xe0\x78\x00\xc0", &in), DECODE_EINVAL);   // VEX map 0
    CHECK_EQ(decode_insn((const u8 *)"", 0, 1, &in), DECODE_ETRUNC);
    CHECK_EQ(decode_insn((const u8 *)"\x66\x66", 2, 1, &in), DECODE_ETRUNC);
    CHECK_EQ(decode_insn((const u8 *)"\x0f", 1, 1, &in), DECODE_ETRUNC);
    CHECK_EQ(decode_insn((const u8 *)"\x89\x04", 2, 1, &in), DECODE_ETRUNC);   // SIB missing
    // 14 prefixes plus a one-byte opcode is 15 bytes: fine; one more prefix is too long.
    u8 longest[INSN_MAX_LEN + 2];
    memset(longest, 0x66, sizeof longest);
    longest[INSN_MAX_LEN - 1] = 0x90;
    CHECK_EQ(decode_insn(longest, sizeof longest, 1, &in), 0);
    CHECK_EQ(in.len, INSN_MAX_LEN);
    longest[INSN_MAX_LEN - 1] = 0x66;
    longest[INSN_MAX_LEN] = 0x90;
    CHECK_EQ(decode_insn(longest, sizeof longest, 1, &in), DECODE_ETOOLONG);
    // An 8-byte instruction after 8 prefixes is 16 bytes.
    u8 mov_long[] = { 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
                      0xc7, 0x80, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };
    CHECK_EQ(decode_insn(mov_long, sizeof mov_long, 1, &in), DECODE_ETOOLONG);
}

TEST(decode_io_fields)
{
    struct insn in;
    CHECK_EQ(DEC32("\xe4\x60", &in), 0);
    CHECK_EQ(in.width, 1);
    CHECK_EQ(in.imm, 0x60);
    CHECK_EQ(DEC32("\x66\xed", &in), 0);
    CHECK_EQ(in.width, 2);
    CHECK_EQ(in.imm_size, 0);
    CHECK_EQ(DEC32("\xef", &in), 0);
    CHECK_EQ(in.width, 4);
    CHECK_EQ(DEC16("\xef", &in), 0);
    CHECK_EQ(in.width, 2);
    CHECK_EQ(DEC32("\xf3\x6c", &in), 0);
    CHECK_EQ(in.cls, INSN_INS);
    CHECK_EQ(in.width, 1);
    CHECK_EQ(in.rep, 0xF3);
    CHECK_EQ(DEC32("\x64\xf3\x6f", &in), 0);          // rep outsl %fs:(%esi),(%dx)
    CHECK_EQ(in.seg_override, INSN_SEG_FS);
    CHECK_EQ(in.width, 4);
}
