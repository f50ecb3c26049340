// config.c — the option table: every key the VMM accepts, with its defaults.
#include "kernel/config.h"
#include "kernel/cmdline.h"
#include "kernel/log.h"
#include "kernel/lib.h"

#define DEFAULT_VM_MEM (128ULL << 20)

struct config config = { .log_level = LOG_INFO, .antfarm = true };

static const char *const log_levels[] = { "error", "warn", "info", "debug", "trace", NULL };
static const char *const onreset_names[] = { "stop", "restart", NULL };
static const char *const crash_names[] = { "none", "ud", "pf", "gp", NULL };

// exitport=0xNN | bochs | none
static bool parse_exitport(const char *v, void *dest)
{
    u64 port;
    if (!strcmp(v, "bochs")) { *(int *)dest = EXITPORT_BOCHS; return true; }
    if (!strcmp(v, "none")) { *(int *)dest = EXITPORT_NONE; return true; }
    if (!cmdline_parse_uint(v, &port) || port == 0 || port > 0xffff) return false;
    *(int *)dest = (int)port;
    return true;
}

#define VM_OPT(k, t, field, ch, lo, hi)                                               \
    { .key = k, .type = t, .dest = &config.vm[0].field, .choices = ch,                \
      .stride = sizeof(struct vm_config), .max_index = MAX_VMS, .min = lo, .max = hi }

static const struct cmdline_opt options[] = {
    { .key = "log", .type = OPT_ENUM, .dest = &config.log_level, .choices = log_levels },
    { .key = "selftest", .type = OPT_FLAG, .dest = &config.selftest },
    { .key = "exitport", .type = OPT_FUNC, .dest = &config.exitport, .parse = parse_exitport },
    { .key = "crash", .type = OPT_ENUM, .dest = &config.crash, .choices = crash_names },
    { .key = "antfarm", .type = OPT_BOOL, .dest = &config.antfarm },
    { .key = "antfarm.switch", .type = OPT_BOOL, .dest = &config.antfarm_switch },
    { .key = "antfarm.json", .type = OPT_BOOL, .dest = &config.antfarm_json },
    { .key = "antfarm.summary", .type = OPT_UINT, .dest = &config.antfarm_summary },
    VM_OPT("vm#.mem", OPT_SIZE, mem, NULL, VM_MEM_MIN, VM_MEM_MAX),
    VM_OPT("vm#.onreset", OPT_ENUM, onreset, onreset_names, 0, 0),
    VM_OPT("vm#.maxrestarts", OPT_UINT, maxrestarts, NULL, 0, 0),
    { .key = NULL },
};

void config_early_exitport(const char *cmdline)
{
    char port[16];
    if (cmdline_find(cmdline, "exitport", port, sizeof port)) parse_exitport(port, &config.exitport);
}

bool config_parse(const char *cmdline, char *err, size_t errlen)
{
    for (int i = 0; i < MAX_VMS; i++)
        if (!config.vm[i].mem) config.vm[i].mem = DEFAULT_VM_MEM;
    config_early_exitport(cmdline);   // so that even a bad line is reported there
    bool ok = cmdline_parse(cmdline, options, err, errlen);
    log_level = config.log_level;
    return ok;
}
