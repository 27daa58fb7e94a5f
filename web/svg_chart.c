/* svg_chart.c - inline SVG charts (svg_chart.h). Coordinates are in viewBox units; the SVG scales
 * to the width of its container. */
#include "svg_chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SECONDS_PER_DAY 86400

/* Daily chart geometry (viewBox 0 0 W H). */
enum {
    CH_W = 1100,
    CH_H = 300,
    CH_LEFT = 56,
    CH_RIGHT = 14,
    CH_TOP1 = 24, /* sessions panel */
    CH_BOT1 = 180,
    CH_TOP2 = 214, /* failure-rate panel */
    CH_BOT2 = 270,
    CH_XLAB = 290,
    CH_MAX_XLABELS = 8,
    SP_W = 120,
    SP_H = 28,
    SP_MAX_BARS = 60,
};

#define MIN_FAIL_HEIGHT 2.0 /* a failing day never looks clean */

size_t svg_bucket_days(size_t n_days)
{
    return n_days <= SVG_MAX_BARS ? 1 : (n_days + SVG_MAX_BARS - 1) / SVG_MAX_BARS;
}

void svg_bucket(const struct svg_day *days, size_t n, size_t per, struct svg_day *out)
{
    if (per == 0)
        per = 1;
    for (size_t i = 0; i < n; i++) {
        struct svg_day *b = &out[i / per];
        if (i % per == 0) {
            b->day = days[i].day;
            b->successful = b->failed = 0;
        }
        b->successful += days[i].successful;
        b->failed += days[i].failed;
    }
}

double svg_nice_ceiling(double v)
{
    if (!(v > 0))
        return 1;
    double p = pow(10, floor(log10(v)));
    static const double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (v <= steps[i] * p * (1 + 1e-9))
            return steps[i] * p;
    return 10 * p;
}

void svg_fmt_compact(char *out, size_t len, double v)
{
    static const struct {
        double div;
        const char *suffix;
    } units[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (fabs(v) >= units[i].div) {
            snprintf(out, len, "%.3g%s", v / units[i].div, units[i].suffix);
            return;
        }
    }
    snprintf(out, len, "%.3g", v);
}

static double rate_of(const struct svg_day *d)
{
    int64_t total = d->successful + d->failed;
    return total > 0 ? (double)d->failed / (double)total : -1;
}

/* "14 Mar" for the x axis. */
static void day_label(char *out, size_t len, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%d %b", &tm) == 0)
        snprintf(out, len, "?");
}

/* The tooltip of one bar: "2026-03-14: 1,234 successful, 5 failed (0.40%)". */
static void bar_title(struct html *h, const struct svg_day *d, size_t per, size_t days_in_bucket)
{
    char a[32], s[48], f[48], r[48];
    fmt_date(a, sizeof a, d->day);
    h_raw(h, "<title>");
    h_raw(h, a);
    if (per > 1) {
        char b[32];
        fmt_date(b, sizeof b, d->day + (int64_t)(days_in_bucket - 1) * SECONDS_PER_DAY);
        h_raw(h, " \xE2\x80\x93 ");
        h_raw(h, b);
    }
    if (d->successful + d->failed == 0) {
        h_raw(h, ": no sessions reported</title>");
        return;
    }
    fmt_int(s, sizeof s, d->successful);
    fmt_int(f, sizeof f, d->failed);
    fmt_rate(r, sizeof r, rate_of(d));
    h_printf(h, ": %s successful, %s failed (", s, f);
    h_text(h, r);
    h_raw(h, ")</title>");
}

static void frame(struct html *h, double top, double bottom, double ymax, int ticks, bool percent)
{
    for (int k = 0; k <= ticks; k++) {
        double v = ymax * k / ticks;
        double y = bottom - (bottom - top) * k / ticks;
        char lab[32];
        if (percent)
            snprintf(lab, sizeof lab, "%.3g%%", v * 100);
        else
            svg_fmt_compact(lab, sizeof lab, v);
        h_printf(h, "<line class=\"grid%s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>",
                 k == 0 ? " base" : "", CH_LEFT, CH_W - CH_RIGHT, y, y);
        h_printf(h, "<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", CH_LEFT - 6,
                 y + 4);
        h_text(h, lab);
        h_raw(h, "</text>");
    }
}

struct totals {
    int64_t successful, failed;
    int64_t max_total;
    double max_rate;
};

static struct totals sum_days(const struct svg_day *b, size_t n)
{
    struct totals t = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        int64_t total = b[i].successful + b[i].failed;
        t.successful += b[i].successful;
        t.failed += b[i].failed;
        if (total > t.max_total)
            t.max_total = total;
        if (rate_of(&b[i]) > t.max_rate)
            t.max_rate = rate_of(&b[i]);
    }
    return t;
}

static void chart_head(struct html *h, const struct svg_chart_opts *o, const struct svg_day *days,
                       size_t n, const struct totals *t)
{
    const char *id = o->id;
    for (const char *c = id; *c != '\0'; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            id = "chart"; /* ids are ours; never let anything else into one */
    h_printf(h,
             "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
             "aria-labelledby=\"%s-t %s-d\" xmlns=\"http://www.w3.org/2000/svg\">",
             CH_W, CH_H, id, id);
    h_printf(h, "<title id=\"%s-t\">", id);
    h_text(h, o->title);
    h_printf(h, "</title><desc id=\"%s-d\">", id);
    if (n == 0) {
        h_raw(h, "No reports in this window.</desc>");
        return;
    }
    char a[32], b[32], s[48], f[48], r[48];
    fmt_date(a, sizeof a, days[0].day);
    fmt_date(b, sizeof b, days[n - 1].day);
    fmt_int(s, sizeof s, t->successful);
    fmt_int(f, sizeof f, t->failed);
    fmt_rate(r, sizeof r,
             t->successful + t->failed > 0 ? (double)t->failed / (double)(t->successful + t->failed)
                                           : -1);
    h_printf(h, "%zu days from %s to %s: %s successful and %s failed sessions, failure rate ", n, a,
             b, s, f);
    h_text(h, r);
    h_raw(h, ". Failed sessions are drawn at least 2 units tall. The table below has the same "
             "figures.</desc>");
}

static void x_labels(struct html *h, const struct svg_day *b, size_t nb, double slot)
{
    size_t every = (nb + CH_MAX_XLABELS - 1) / CH_MAX_XLABELS;
    for (size_t i = 0; i < nb; i += every) {
        char lab[32];
        day_label(lab, sizeof lab, b[i].day);
        h_printf(h, "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
                 CH_LEFT + slot * ((double)i + 0.5), CH_XLAB);
        h_text(h, lab);
        h_raw(h, "</text>");
    }
}

static void bars(struct html *h, const struct svg_day *b, size_t nb, size_t per, size_t n_days,
                 double smax, double rmax, double threshold)
{
    const double slot = (double)(CH_W - CH_LEFT - CH_RIGHT) / (double)nb;
    const double bw = slot >= 3 ? slot * 0.78 : slot;
    const double ph1 = CH_BOT1 - CH_TOP1, ph2 = CH_BOT2 - CH_TOP2;
    for (size_t i = 0; i < nb; i++) {
        const struct svg_day *d = &b[i];
        double x = CH_LEFT + slot * (double)i + (slot - bw) / 2;
        size_t in_bucket = (i + 1) * per <= n_days ? per : n_days - i * per;
        h_raw(h, "<g class=\"bar\">");
        bar_title(h, d, per, in_bucket);
        h_printf(h, "<rect class=\"hit\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
                 CH_LEFT + slot * (double)i, CH_TOP1, slot, CH_BOT2 - CH_TOP1);
        double fh = (double)d->failed / smax * ph1;
        if (d->failed > 0 && fh < MIN_FAIL_HEIGHT)
            fh = MIN_FAIL_HEIGHT;
        double sh = fmin((double)d->successful / smax * ph1, ph1 - fh);
        if (d->successful > 0)
            h_printf(h, "<rect class=\"ok\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                     x, CH_BOT1 - sh, bw, sh);
        if (d->failed > 0)
            h_printf(h,
                     "<rect class=\"fail\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                     x, CH_BOT1 - sh - fh, bw, fh);
        double rate = rate_of(d);
        if (rate < 0) {
            h_printf(h, "<rect class=\"nodata\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"2\"/>",
                     x, CH_BOT2 - 2, bw);
        } else {
            double rh = fmax(fmin(rate / rmax * ph2, ph2), rate > 0 ? MIN_FAIL_HEIGHT : 1.5);
            const char *cls = rate == 0                           ? "zero"
                              : threshold > 0 && rate > threshold ? "fail"
                                                                  : "warn";
            h_printf(h, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                     cls, x, CH_BOT2 - rh, bw, rh);
        }
        h_raw(h, "</g>");
    }
}

void svg_daily_chart(struct html *h, const struct svg_day *days, size_t n,
                     const struct svg_chart_opts *o)
{
    struct svg_day buckets[SVG_MAX_BARS];
    size_t per = svg_bucket_days(n);
    size_t nb = n == 0 ? 0 : (n + per - 1) / per;
    if (nb > SVG_MAX_BARS) { /* cannot happen (svg_bucket_days), but never overflow the array */
        nb = SVG_MAX_BARS;
        n = nb * per;
    }
    svg_bucket(days, n, per, buckets);
    struct totals t = sum_days(buckets, nb);
    chart_head(h, o, days, n, &t);
    h_printf(h, "<text class=\"ptitle\" x=\"%d\" y=\"12\">Sessions per %s</text>", CH_LEFT,
             per > 1 ? "bucket" : "day");
    h_printf(h, "<text class=\"ptitle\" x=\"%d\" y=\"%d\">Failure rate</text>", CH_LEFT,
             CH_TOP2 - 10);
    double step = fmax(1, svg_nice_ceiling((double)t.max_total / 4));
    double smax = step * fmax(1, ceil((double)t.max_total / step));
    int ticks = (int)lround(smax / step);
    frame(h, CH_TOP1, CH_BOT1, smax, ticks, false);
    double rtop = t.max_rate;
    if (o->threshold > 0 && rtop < o->threshold * 2)
        rtop = o->threshold * 2;
    double rmax = svg_nice_ceiling(rtop > 0 ? rtop : 0.01);
    frame(h, CH_TOP2, CH_BOT2, rmax, 2, true);
    if (nb == 0) {
        h_printf(h,
                 "<text class=\"empty\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
                 "No reports in this window</text></svg>",
                 (CH_W + CH_LEFT) / 2, (CH_TOP1 + CH_BOT1) / 2);
        return;
    }
    bars(h, buckets, nb, per, n, smax, rmax, o->threshold);
    if (o->threshold > 0 && o->threshold <= rmax) {
        double y = CH_BOT2 - o->threshold / rmax * (CH_BOT2 - CH_TOP2);
        char lab[48];
        fmt_rate(lab, sizeof lab, o->threshold);
        h_printf(h, "<line class=\"threshold\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>",
                 CH_LEFT, CH_W - CH_RIGHT, y, y);
        /* Above the panel, where no bar can hide it. */
        h_printf(h,
                 "<text class=\"axis threshold-label\" x=\"%d\" y=\"%d\" "
                 "text-anchor=\"end\">- - threshold ",
                 CH_W - CH_RIGHT, CH_TOP2 - 10);
        h_text(h, lab);
        h_raw(h, "</text>");
    }
    x_labels(h, buckets, nb, (double)(CH_W - CH_LEFT - CH_RIGHT) / (double)nb);
    h_raw(h, "</svg>");
}

void svg_sparkline(struct html *h, const struct svg_day *days, size_t n, double threshold,
                   const char *label)
{
    struct svg_day b[SP_MAX_BARS];
    size_t per = n <= SP_MAX_BARS ? 1 : (n + SP_MAX_BARS - 1) / SP_MAX_BARS;
    size_t nb = n == 0 ? 0 : (n + per - 1) / per;
    svg_bucket(days, n, per, b);
    int64_t max = 0;
    for (size_t i = 0; i < nb; i++)
        if (b[i].successful + b[i].failed > max)
            max = b[i].successful + b[i].failed;
    h_printf(h,
             "<svg class=\"spark\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
             "aria-label=\"",
             SP_W, SP_H, SP_W, SP_H);
    h_attr(h, label);
    h_raw(h, "\" xmlns=\"http://www.w3.org/2000/svg\"><title>");
    h_text(h, label);
    h_raw(h, "</title>");
    double slot = nb > 0 ? (double)SP_W / (double)nb : 0;
    for (size_t i = 0; i < nb; i++) {
        int64_t total = b[i].successful + b[i].failed;
        double x = slot * (double)i + (slot > 3 ? slot * 0.1 : 0);
        double w = slot > 3 ? slot * 0.8 : slot;
        if (total == 0) {
            h_printf(h, "<rect class=\"nodata\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"1\"/>",
                     x, SP_H - 1, w);
            continue;
        }
        double rate = rate_of(&b[i]);
        const char *cls = threshold > 0 && rate > threshold ? "fail" : rate > 0 ? "warn" : "ok";
        double ht = fmax(2, (double)total / (double)max * SP_H);
        h_printf(h, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                 cls, x, SP_H - ht, w, ht);
    }
    h_raw(h, "</svg>");
}

void svg_meter(struct html *h, double fraction, const char *cls)
{
    if (!(fraction > 0))
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    h_raw(h, "<svg class=\"meter\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\" "
             "aria-hidden=\"true\" xmlns=\"http://www.w3.org/2000/svg\">"
             "<rect class=\"track\" width=\"100\" height=\"6\" rx=\"3\"/>");
    if (fraction > 0)
        h_printf(h, "<rect class=\"%s\" width=\"%.2f\" height=\"6\" rx=\"3\"/>", cls,
                 fmax(fraction * 100, 1.5));
    h_raw(h, "</svg>");
}
