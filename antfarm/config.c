// config.c — antfarm's command-line options: antfarm=, antfarm.switch=, .json=, .summary=.
#include "antfarm/antfarm.h"
#include "kernel/lib.h"

#define AF_SUMMARY_MAX_SECS 86400u   // a day: longer periods are surely a typo

// antfarm on, no switch lines, key=value lines, summary only at the end.
void antfarm_config_default(struct antfarm_config *cfg)
{
    *cfg = (struct antfarm_config){ .enabled = true };
}

// "on" or "off" into *out; false for anything else.
static bool parse_onoff(const char *s, bool *out)
{
    if (!strcmp(s, "on")) { *out = true; return true; }
    if (!strcmp(s, "off")) { *out = false; return true; }
    return false;
}

// A decimal number of seconds up to AF_SUMMARY_MAX_SECS into *out.
static bool parse_secs(const char *s, u32 *out)
{
    u32 v = 0;
    if (!*s) return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        v = v * 10 + (u32)(*s - '0');
        if (v > AF_SUMMARY_MAX_SECS) return false;
    }
    *out = v;
    return true;
}

// Apply one antfarm option; false for another key or a bad value.
bool antfarm_config_set(struct antfarm_config *cfg, const char *key, const char *value)
{
    if (!strcmp(key, "antfarm")) return parse_onoff(value, &cfg->enabled);
    if (!strcmp(key, "antfarm.switch")) return parse_onoff(value, &cfg->switch_events);
    if (!strcmp(key, "antfarm.json")) return parse_onoff(value, &cfg->json);
    if (!strcmp(key, "antfarm.summary")) return parse_secs(value, &cfg->summary_secs);
    return false;
}
