// multiboot.c — copy what the guest needs out of the multiboot information block
#include "multiboot.h"

struct boot_info boot;

#define FOUR_GIB 0x100000000ull

// Copy what the guest needs out of the multiboot information block.
void multiboot_parse(uint32_t magic, const struct mb_info *mbi) {
    boot.magic = magic;
    if (magic != MB_BOOT_MAGIC) return;
    boot.flags = mbi->flags;
    if (mbi->flags & MB_INFO_MEM) {
        boot.mem_lower = mbi->mem_lower;
        boot.mem_upper = mbi->mem_upper;
    }
    if (mbi->flags & MB_INFO_CMDLINE) {
        const char *s = (const char *)mbi->cmdline;
        int i = 0;
        for (; s[i] && i < MB_CMDLINE_MAX - 1; i++) boot.cmdline[i] = s[i];
        boot.cmdline[i] = 0;
    }
    if (mbi->flags & MB_INFO_MMAP) {
        uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
        while (p < end && boot.nregions < MB_MMAP_MAX) {
            const struct mb_mmap_entry *e = (const struct mb_mmap_entry *)p;
            struct mb_region *r = &boot.regions[boot.nregions++];
            r->addr = e->addr;
            r->len = e->len;
            r->type = e->type;
            if (e->type == MB_MMAP_RAM && e->addr + e->len <= FOUR_GIB && e->addr + e->len > boot.ram_end)
                boot.ram_end = (uint32_t)(e->addr + e->len);
            p += e->size + sizeof(e->size);
        }
    }
    if (!boot.ram_end && (mbi->flags & MB_INFO_MEM)) boot.ram_end = 0x100000 + boot.mem_upper * 1024;
}

// Length of the word at s (up to a space or the end).
static int word_len(const char *s) {
    int n = 0;
    while (s[n] && s[n] != ' ') n++;
    return n;
}

// Value of "key=..." on the command line as a number, or dflt when absent.
uint32_t cmdline_num(const char *key, uint32_t dflt) {
    for (const char *s = boot.cmdline; *s;) {
        int n = word_len(s), k = 0;
        while (key[k] && key[k] == s[k]) k++;
        if (!key[k] && s[k] == '=') {
            uint32_t v = 0;
            for (const char *d = s + k + 1; *d >= '0' && *d <= '9'; d++) v = v * 10 + (uint32_t)(*d - '0');
            return v;
        }
        s += n;
        while (*s == ' ') s++;
    }
    return dflt;
}

// True when the command line holds the word w on its own.
int cmdline_has(const char *w) {
    for (const char *s = boot.cmdline; *s;) {
        int n = word_len(s), k = 0;
        while (w[k] && w[k] == s[k]) k++;
        if (!w[k] && k == n) return 1;
        s += n;
        while (*s == ' ') s++;
    }
    return 0;
}
