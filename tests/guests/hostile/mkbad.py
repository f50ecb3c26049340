#!/usr/bin/env python3
# mkbad.py — bad boot modules for 60-hostile.sh, made from a good multiboot ELF:
# garbage.bin (seeded random bytes), truncated.elf (headers only), above4g.elf (first
# segment at 0xfffff000, so it ends past 4 GiB), filesz.elf (first segment's filesz > memsz).
import random, struct, sys

PT_LOAD = 1

def load_segments(elf):
    phoff, = struct.unpack_from("<I", elf, 28)
    phentsize, phnum = struct.unpack_from("<HH", elf, 42)
    return [phoff + i * phentsize for i in range(phnum) if struct.unpack_from("<I", elf, phoff + i * phentsize)[0] == PT_LOAD]

def main(src, out):
    elf = bytearray(open(src, "rb").read())
    rng = random.Random(60)
    open(f"{out}/garbage.bin", "wb").write(bytes(rng.randrange(256) for _ in range(16384)))
    open(f"{out}/truncated.elf", "wb").write(elf[:0x1100])   # ELF and multiboot headers, no segment data
    ph = load_segments(elf)[0]
    hi = bytearray(elf)
    struct.pack_into("<II", hi, ph + 8, 0xfffff000, 0xfffff000)        # p_vaddr, p_paddr
    open(f"{out}/above4g.elf", "wb").write(hi)
    fs = bytearray(elf)
    memsz, = struct.unpack_from("<I", fs, ph + 20)
    struct.pack_into("<I", fs, ph + 16, memsz + 0x10000)              # p_filesz > p_memsz
    open(f"{out}/filesz.elf", "wb").write(fs)

main(sys.argv[1], sys.argv[2])
