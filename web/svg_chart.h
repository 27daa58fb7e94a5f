/* svg_chart.h - charts drawn on the server as inline SVG: series in, markup out. Pure (no database,
 * no clock), so unit tests feed it series and read the SVG back.
 *
 * Colours come from CSS classes (style.css), never from inline styles: the page's Content-Security-
 * Policy forbids inline style, and classes let light and dark mode pick their own palette. Every
 * chart has a <title> and <desc> (role="img"), every bar a <title> tooltip; pages add the same
 * figures as a table for screen readers and for copying. */
#ifndef TLSRPT_WEB_SVG_CHART_H
#define TLSRPT_WEB_SVG_CHART_H

#include "html.h"

#include <stddef.h>
#include <stdint.h>

#define SVG_MAX_BARS 180 /* wider series are merged into buckets of several days */

struct svg_day {
    int64_t day; /* unix time of 00:00 UTC */
    int64_t successful, failed;
};

struct svg_chart_opts {
    const char *id;    /* unique on the page, [a-z0-9-] only (ours, not report data) */
    const char *title; /* escaped by the chart */
    double threshold;  /* failure rate drawn as a dashed line; <= 0: none */
};

/* Days per bar so that n days make at most SVG_MAX_BARS bars (1 for short series). */
size_t svg_bucket_days(size_t n_days);

/* Merges days[0..n) into buckets of `per` days (the last one may be shorter): out gets
 * ceil(n / per) entries, each dated by its first day. */
void svg_bucket(const struct svg_day *days, size_t n, size_t per, struct svg_day *out);

/* Two panels sharing the x axis: stacked daily sessions (successful below, failed above, a failed
 * segment at least 2 units tall so that no failing day looks clean) and the daily failure rate with
 * the threshold. Draws an empty frame with "No reports in this window" when n == 0. */
void svg_daily_chart(struct html *h, const struct svg_day *days, size_t n,
                     const struct svg_chart_opts *o);

/* A 120x28 sparkline: one bar per day scaled by sessions, coloured bad (rate above threshold), warn
 * (some failures) or ok; days without sessions are a grey baseline tick. label is escaped. */
void svg_sparkline(struct html *h, const struct svg_day *days, size_t n, double threshold,
                   const char *label);

/* A small horizontal bar for table cells: fraction in [0, 1] (clamped), cls one of our CSS classes.
 */
void svg_meter(struct html *h, double fraction, const char *cls);

/* Axis numbers: 950 -> "950", 1200 -> "1.2k", 3400000 -> "3.4M". */
void svg_fmt_compact(char *out, size_t len, double v);
/* A "nice" axis maximum >= v: 1, 2, 2.5 or 5 times a power of ten (v <= 0 gives 1). */
double svg_nice_ceiling(double v);

#endif
