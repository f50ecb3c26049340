/* sys.S — entry point and raw Linux i386 system calls for the workload program.
 * No libc: every call is `int $0x80` with the numbers Linux 2.4 already had.
 * ABI: eax = number, ebx, ecx, edx, esi, edi, ebp = arguments; eax = result
 * (-4095..-1 is -errno). */
    .text

/* _start: the stack holds argc, argv[0..argc-1], NULL, envp..., NULL. */
    .globl _start
    .type _start, @function
_start:
    xorl  %ebp, %ebp
    movl  (%esp), %eax          /* argc */
    leal  4(%esp), %ecx         /* argv */
    andl  $-16, %esp
    subl  $8, %esp
    pushl %ecx
    pushl %eax
    call  wl_main
    movl  %eax, %ebx
    movl  $1, %eax              /* exit */
    int   $0x80
    hlt

/* long sys6(long nr, long a, long b, long c, long d, long e, long f) */
    .globl sys6
    .type sys6, @function
sys6:
    pushl %ebp
    pushl %edi
    pushl %esi
    pushl %ebx
    movl  20(%esp), %eax
    movl  24(%esp), %ebx
    movl  28(%esp), %ecx
    movl  32(%esp), %edx
    movl  36(%esp), %esi
    movl  40(%esp), %edi
    movl  44(%esp), %ebp
    int   $0x80
    popl  %ebx
    popl  %esi
    popl  %edi
    popl  %ebp
    ret

/* long sys_vfork(void): the child borrows our stack until it execs or exits, so this
 * function keeps nothing on it: the return address goes to a register and back. */
    .globl sys_vfork
    .type sys_vfork, @function
sys_vfork:
    popl  %ecx
    movl  $190, %eax            /* vfork (Linux 2.2 and later) */
    int   $0x80
    pushl %ecx
    ret

    .section .note.GNU-stack,"",@progbits
