// mkbzimage.c — host tool for the old-protocol test kernels.
//   mkbzimage image SETUP.bin KERNEL.bin OUT   wrap a real-mode setup part and a flat
//       protected-mode part into a bzImage: pad the setup to (setup_sects+1)*512 bytes,
//       fill in syssize (16 bytes units; a 16-bit field before protocol 2.04)
//   mkbzimage initrd OUT                       write the test initrd (oldproto.h)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "oldproto.h"

static void die(const char *what, const char *arg)
{
    fprintf(stderr, "mkbzimage: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    exit(1);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    if (fseek(f, 0, SEEK_END) || (*len = (size_t)ftell(f)) == (size_t)-1 || fseek(f, 0, SEEK_SET)) die("cannot size", path);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (!buf || fread(buf, 1, *len, f) != *len) die("cannot read", path);
    fclose(f);
    return buf;
}

static void spill(const char *path, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen) || fclose(f)) die("cannot write", path);
}

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v); wr16(p + 2, v >> 16); }

static void make_image(const char *setup_path, const char *kernel_path, const char *out)
{
    size_t slen, klen;
    uint8_t *setup = slurp(setup_path, &slen), *kernel = slurp(kernel_path, &klen);
    if (slen < 0x230 || rd32(setup + ZP_HEADER) != HDRS_MAGIC) die("no HdrS setup header in", setup_path);
    unsigned sects = setup[ZP_SETUP_SECTS] ? setup[ZP_SETUP_SECTS] : 4;
    size_t full = (sects + 1) * 512u;
    if (slen > full) die("setup part larger than setup_sects says", setup_path);
    uint8_t *padded = calloc(1, full);
    if (!padded) die("out of memory", NULL);
    memcpy(padded, setup, slen);
    unsigned version = padded[ZP_VERSION] | padded[ZP_VERSION + 1] << 8;
    uint32_t syssize = (uint32_t)((klen + 15) / 16);
    if (version < 0x204) {
        if (syssize > 0xffff) die("protected-mode part too large for a 16-bit syssize", kernel_path);
        wr16(padded + ZP_SYSSIZE, syssize);
    } else {
        wr32(padded + ZP_SYSSIZE, syssize);
    }
    spill(out, padded, full, kernel, klen);
}

static void make_initrd(const char *out)
{
    static const char magic[] = INITRD_MAGIC, trailer[] = INITRD_TRAILER;
    uint8_t *buf = calloc(1, INITRD_SIZE);
    if (!buf) die("out of memory", NULL);
    memcpy(buf, magic, sizeof magic);
    wr32(buf + 16, INITRD_SIZE);
    wr32(buf + 20, INITRD_SEED);
    for (uint32_t i = INITRD_HDR_SIZE; i < INITRD_SIZE - INITRD_TRAILER_SIZE; i++) buf[i] = initrd_byte(i);
    memcpy(buf + INITRD_SIZE - INITRD_TRAILER_SIZE, trailer, INITRD_TRAILER_SIZE);
    // myrmex takes a module that looks like a kernel for a new VM: make sure this is neither
    // a bzImage ("HdrS" at 0x202) nor a multiboot kernel (its magic in the first 8 KiB).
    if (rd32(buf + ZP_HEADER) == HDRS_MAGIC) die("initrd looks like a bzImage", NULL);
    for (uint32_t i = 0; i + 4 <= 8192; i += 4)
        if (rd32(buf + i) == 0x1badb002u) die("initrd looks like a multiboot kernel", NULL);
    spill(out, buf, INITRD_SIZE, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "image")) make_image(argv[2], argv[3], argv[4]);
    else if (argc == 3 && !strcmp(argv[1], "initrd")) make_initrd(argv[2]);
    else die("usage: mkbzimage image SETUP.bin KERNEL.bin OUT | mkbzimage initrd OUT", NULL);
    return 0;
}
