/* gh-show: what both printers write with. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "show.h"

void out_add(struct out *w, const char *s)
{
	if (gh_buf_adds(w->b, s) < 0)
		w->err = -ENOMEM;
}

void out_addf(struct out *w, const char *fmt, ...)
{
	va_list ap;
	char tmp[512];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	out_add(w, tmp);
}

void out_ms(struct out *w, int64_t v)
{
	if (v >= 1000)
		out_addf(w, "%lld.%03lld s", (long long)(v / 1000), (long long)(v % 1000));
	else
		out_addf(w, "%lld ms", (long long)v);
}

void out_cpu(struct out *w)
{
	if (w->m->run.has_cpu) {
		out_add(w, " (cpu ");
		out_ms(w, w->m->run.cpu_time_ms);
		out_add(w, ")");
	}
}

void out_record_word(struct out *w)
{
	switch (w->m->facts.record) {
	case REC_UNKNOWN:
		out_add(w, "completeness unknown (a ");
		out_add(w, gh_receipt_shape_name(w->m->r));
		out_add(w, " receipt does not say)");
		break;
	case REC_COMPLETE:
		out_add(w, "complete");
		break;
	default:
		out_add(w, w->m->facts.record == REC_UNTRACED ? "UNTRACED" : "PARTIAL");
	}
}
