#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tlsrpt_progress_start(struct tlsrpt_progress *p, int enable, uint64_t total, const char *unit)
{
    p->enabled = enable < 0 ? isatty(STDERR_FILENO) : enable;
    p->total = total;
    p->done = 0;
    p->started_ms = mono_ms();
    p->drawn_ms = 0;
    p->unit = unit;
}

static void draw(struct tlsrpt_progress *p, int64_t now)
{
    double secs = (double)(now - p->started_ms) / 1000.0;
    double rate = secs > 0 ? (double)p->done / secs : 0;
    if (p->total > 0) {
        enum { WIDTH = 30 };
        uint64_t fill = p->done >= p->total ? WIDTH : p->done * WIDTH / p->total;
        char bar[WIDTH + 1];
        for (int i = 0; i < WIDTH; i++)
            bar[i] = (uint64_t)i < fill ? '#' : '.';
        bar[WIDTH] = '\0';
        double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
        fprintf(stderr, "\r[%s] %llu/%llu %s  %.0f/s  eta %.0fs ", bar, (unsigned long long)p->done,
                (unsigned long long)p->total, p->unit, rate, eta);
    } else {
        fprintf(stderr, "\r%llu %s  %.0f/s ", (unsigned long long)p->done, p->unit, rate);
    }
    fflush(stderr);
    p->drawn_ms = now;
}

void tlsrpt_progress_step(struct tlsrpt_progress *p, uint64_t n)
{
    p->done += n;
    if (!p->enabled)
        return;
    int64_t now = mono_ms();
    if (now - p->drawn_ms >= 100)
        draw(p, now);
}

void tlsrpt_progress_end(struct tlsrpt_progress *p)
{
    if (!p->enabled || p->drawn_ms == 0)
        return;
    fprintf(stderr, "\r%*s\r", 79, "");
    fflush(stderr);
}
