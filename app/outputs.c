// SPDX-License-Identifier: GPL-2.0
/*
 * The files the flags name: --output-file, --output-pcap, --record and
 * --ready-file, opened before anything is attached (so that a bad path
 * fails at once) and closed with their write errors said, never dropped.
 */
#include <errno.h>

#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "app/app.h"
#include "core/outfile.h"

#include "core/output_pcap.h"
#include "core/record.h"
#include "core/trace/session.h"

long long app_realtime_offset(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (r.tv_sec - m.tv_sec) * 1000000000LL + (r.tv_nsec - m.tv_nsec);
}

int app_write_ready(const char *path)
{
	char buf[32];
	int fd, n;

	fd = outfile_open(path, NULL, 0);
	if (fd < 0)
		return fd;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n) {
		int err = -errno;

		close(fd);
		return err;
	}
	return close(fd) ? -errno : 0;
}

/* Flush and close what --output-file and --output-pcap opened; a write
 * that failed is an error, not a quiet short file. */
int app_close_outputs(struct app *a, int rc)
{
	/* Created up front, but the run ended before recording began: an
	 * empty file is not a recording. */
	if (a->rec_pending && !a->rec)
		unlink(a->cli.record);
	a->rec_pending = 0;
	if (a->rec) {
		__u64 c[SKBS_C_MAX] = { 0 };
		int ret;

		if (a->s)
			session_counters(a->s, c);
		ret = rec_close(a->rec, c);
		a->rec = NULL;
		if (!ret)
			ret = a->rec_err;
		if (ret) {
			fprintf(stderr,
				"skbscope: --record %s: write failed: "
				"%s; the recording is incomplete\n",
				a->cli.record, strerror(-ret));
			rc = 1;
		} else {
			fprintf(stderr,
				"skbscope: recorded to %s (replay it "
				"with --replay)\n",
				a->cli.record);
		}
	}
	if (a->pcap) {
		unsigned long long w = pcapng_written(a->pcap);
		unsigned long long sk = pcapng_skipped(a->pcap);
		int ret = pcapng_close(a->pcap);

		a->pcap = NULL;
		if (!ret)
			ret = a->pcap_err;
		if (ret) {
			fprintf(stderr,
				"skbscope: --output-pcap %s: write "
				"failed: %s\n",
				a->cli.output_pcap, strerror(-ret));
			rc = 1;
		} else {
			fprintf(stderr,
				"skbscope: %llu packets written to %s"
				"%s",
				w, a->cli.output_pcap, sk ? "" : "\n");
			if (sk)
				fprintf(stderr,
					" (%llu events had no header "
					"bytes)\n",
					sk);
		}
	}
	if (fflush(a->out) == EOF && !a->out_err)
		a->out_err = errno;
	if (a->rot) {
		int ret;

		app_out_commit(a);
		ret = outfile_rot_close(a->rot);
		a->rot = NULL;
		a->out = stdout;
		if (ret && !a->out_err)
			a->out_err = -ret;
		if (a->out_err) {
			fprintf(stderr,
				"skbscope: --output-file %s: write "
				"failed: %s\n",
				a->cli.output_file, strerror(a->out_err));
			rc = 1;
		}
		if (a->rot_failed) {
			fprintf(stderr,
				"skbscope: --output-file %s: %u "
				"rotations failed (said above); the output "
				"went on in the file at hand\n",
				a->cli.output_file, a->rot_failed);
			rc = 1;
		}
	} else if (a->out != stdout) {
		if (a->out_err || ferror(a->out)) {
			fprintf(stderr,
				"skbscope: --output-file %s: write "
				"failed: %s\n",
				a->cli.output_file,
				strerror(a->out_err ? a->out_err : EIO));
			rc = 1;
		}
		fclose(a->out);
		a->out = stdout;
	} else if (a->out_err && a->out_err != EPIPE) {
		/* > /dev/full, a full disk: not a quiet short output. A
		 * reader that went away (| head) is not an error. */
		fprintf(stderr, "skbscope: writing to standard output: %s\n",
			strerror(a->out_err));
		rc = 1;
	}
	return rc;
}

void app_out_commit(struct app *a)
{
	char m[512];
	unsigned n;
	int ret;

	if (!a->rot)
		return;
	ret = outfile_rot_commit(a->rot);
	if (ret && !a->out_err)
		a->out_err = -ret;
	n = outfile_rot_error(a->rot, m, sizeof(m));
	if (n) {
		fprintf(stderr, "skbscope: --output-file: rotation failed: %s",
			m);
		if (n > 1)
			fprintf(stderr, " (and %u more)", n - 1);
		fprintf(stderr, "\n");
		a->rot_failed += n;
	}
}

/* --output-file and --output-pcap, opened before anything else happens so
 * that a bad path fails at once. 0 or -1 (said on stderr). */
int app_open_outputs(struct app *a, long long rt_offset)
{
	char err[512];
	int ret;

	if (a->cli.output_file) {
		ret = outfile_rot_open(a->cli.output_file, &a->cli.rot, &a->rot,
				       err, sizeof(err));
		if (!ret)
			a->out = outfile_rot_stream(a->rot);
		if (ret) {
			fprintf(stderr, "skbscope: --output-file: %s\n", err);
			return -1;
		}
	}
	/* The recording's header needs the backend, known only after
	 * attaching; creating the file now makes a bad path fail before
	 * anything is attached. */
	if (a->cli.record) {
		ret = outfile_open(a->cli.record, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "skbscope: --record: %s\n", err);
			return -1;
		}
		close(ret);
		a->rec_pending = 1;
	}
	if (a->cli.output_pcap) {
		ret = pcapng_open(a->cli.output_pcap, rt_offset, &a->pcap, err,
				  sizeof(err));
		if (ret) {
			fprintf(stderr, "skbscope: --output-pcap: %s\n", err);
			outfile_rot_close(a->rot);
			a->rot = NULL;
			a->out = stdout;
			return -1;
		}
	}
	return 0;
}

/* --record: the file and what replay needs before the first event. */
int app_start_record(struct app *a)
{
	struct rec_meta m = { 0 };
	struct utsname u;
	struct timespec now;
	char err[512];
	int ret;

	if (!uname(&u)) {
		snprintf(m.host, sizeof(m.host), "%s", u.nodename);
		snprintf(m.kernel, sizeof(m.kernel), "%s", u.release);
	}
	snprintf(m.backend, sizeof(m.backend), "%s", session_backend(a->s));
	clock_gettime(CLOCK_REALTIME, &now);
	m.start_realtime_ns = now.tv_sec * 1000000000LL + now.tv_nsec;
	m.realtime_offset_ns = app_realtime_offset();
	snprintf(m.meta_names, sizeof(m.meta_names), "%s",
		 a->cli.skb_meta ? a->cli.skb_meta : "");
	ret = rec_create(a->cli.record, &m, &a->rec, err, sizeof(err));
	if (!ret) {
		ret = rec_write_reasons(a->rec, session_reasons(a->s));
		if (ret)
			snprintf(err, sizeof(err), "%s: %s", a->cli.record,
				 strerror(-ret));
	}
	if (ret) {
		fprintf(stderr, "skbscope: --record: %s\n", err);
		if (a->rec)
			rec_close(a->rec, NULL);
		a->rec = NULL;
		return -1;
	}
	return 0;
}
