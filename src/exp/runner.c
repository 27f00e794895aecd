/* Experiment runner: single runs, sweeps over local threads, resumable
 * point directories, and the sweep table. */
#include <config.h>
#include "exp/runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "exp/sweep.h"
#include "out/resultdir.h"
#include "stats/ci.h"
#ifdef HAVE_MPI
#include <mpi.h>
#endif


/*
 * vns_run_write_report:
 * Writes the report of one run into 'dir' (which must exist): the resolved
 * parameters, summary.json, summary.csv, and the report's extra files.
 */
bool
vns_run_write_report(const char *dir, const VnsExperiment *exp,
                     const VnsReport *report, GError **error)
{
    g_autofree char *params = vns_experiment_params_json(exp);
    g_autoptr(GString) header = g_string_new("{\"experiment\": ");
    g_autoptr(GString) json = NULL;
    g_autoptr(GString) csv = vns_report_to_csv(report);
    g_autofree char *params_text = g_strconcat(params, "\n", NULL);
    GHashTableIter it;
    gpointer name, content;
    struct { const char *file; const char *data; gssize len; } files[3];

    vns_report_json_string(header, exp->name);
    g_string_append_printf(header, ", \"seed\": %" G_GUINT64_FORMAT ", \"params\": %s}",
                           exp->seed, params);
    json = vns_report_to_json(report, header->str);
    files[0].file = "params.json";
    files[0].data = params_text;
    files[0].len = -1;
    files[1].file = "summary.json";
    files[1].data = json->str;
    files[1].len = (gssize) json->len;
    files[2].file = "summary.csv";
    files[2].data = csv->str;
    files[2].len = (gssize) csv->len;
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(dir, files[i].file, NULL);
        if (!vns_file_write_atomic(p, files[i].data, files[i].len, error))
            return false;
    }
    g_hash_table_iter_init(&it, vns_report_files(report));
    while (g_hash_table_iter_next(&it, &name, &content)) {
        g_autofree char *p = g_build_filename(dir, (const char *) name, NULL);
        GString *s = content;
        if (!vns_file_write_atomic(p, s->str, (gssize) s->len, error))
            return false;
    }
    return true;
}

/* Copies the experiment and its topology into 'dir' for provenance and
 * for `vnetsim plot`. */
static bool
runner_copy_inputs(const char *dir, const VnsExperiment *exp, GError **error)
{
    const char *src[2] = { exp->path, exp->topology_path };
    const char *dst[2] = { "experiment.xml", "topology.xml" };

    for (size_t i = 0; i < 2; i++) {
        g_autofree char *text = NULL, *p = NULL;
        gsize len;
        if (!g_file_get_contents(src[i], &text, &len, error))
            return false;
        p = g_build_filename(dir, dst[i], NULL);
        if (!vns_file_write_atomic(p, text, (gssize) len, error))
            return false;
    }
    return true;
}

/* Loads an experiment with 'sets' and the seed override, and builds it
 * once without running so every input error shows before any run. */
static VnsExperiment *
runner_load_checked(const VnsRunOptions *opt, const char *const *sets,
                    GError **error)
{
    g_autoptr(VnsExperiment) exp = vns_experiment_load(opt->registry,
                                                       opt->experiment_path,
                                                       sets, error);
    if (exp == NULL)
        return NULL;
    if (opt->seed_set)
        exp->seed = opt->seed;
    if (!vns_experiment_check(exp, error))
        return NULL;
    return g_steal_pointer(&exp);
}

/* The point's identity: SHA-256 over the input files, the resolved
 * parameters, the seed and the replication count. Owned, 16 hex digits. */
static char *
runner_point_hash(const VnsExperiment *exp)
{
    g_autoptr(GChecksum) ck = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree char *params = vns_experiment_params_json(exp);
    const char *files[2] = { exp->path, exp->topology_path };
    g_autofree char *tail = g_strdup_printf("\nseed=%" G_GUINT64_FORMAT
                                            "\nreplications=%u\nduration=%"
                                            G_GINT64_FORMAT "\n", exp->seed,
                                            exp->replications, exp->duration);

    g_checksum_update(ck, (const guchar *) "vnetsim point v1\n", -1);
    for (size_t i = 0; i < 2; i++) {
        g_autofree char *text = NULL;
        gsize len = 0;
        if (g_file_get_contents(files[i], &text, &len, NULL))
            g_checksum_update(ck, (const guchar *) text, (gssize) len);
    }
    g_checksum_update(ck, (const guchar *) params, -1);
    g_checksum_update(ck, (const guchar *) tail, -1);
    return g_strndup(g_checksum_get_string(ck), 16);
}

typedef struct {
    VnsExperiment *exp;         /* owned */
    char *hash;
    char *final_dir;            /* DIR/points/HASH */
    char *temp_dir;             /* DIR/points/.HASH.tmp-PID */
    char *label;                /* "rate=1Gbps size=64" */
    guint reps_left;
    bool failed;
} Point;

typedef struct {
    const VnsRunOptions *opt;
    GPtrArray *points;          /* of Point* */
    GMutex lock;
    GError *error;              /* the first failure */
    guint units_total, units_done;
    guint points_done, points_total;
    gint64 started_us;
    uint64_t events;
} Sweep;

typedef struct {
    Point *point;
    uint32_t rep;
    GAsyncQueue *finished;      /* MPI coordinator: told when done; or NULL */
} Unit;

static void
point_free(Point *p)
{
    vns_experiment_free(p->exp);
    g_free(p->hash);
    g_free(p->final_dir);
    g_free(p->temp_dir);
    g_free(p->label);
    g_free(p);
}

static void
sweep_progress(Sweep *sw, const Point *p, bool point_done)
{
    double elapsed = (double) (g_get_monotonic_time() - sw->started_us) / 1e6;
    double frac = sw->units_total ? (double) sw->units_done / sw->units_total : 1.0;
    double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;

    if (sw->opt->quiet)
        return;
    if (sw->opt->tty) {
        int width = 30, fill = (int) (frac * width);
        fprintf(stderr, "\r  [%.*s%.*s] points %u/%u  runs %u/%u  %.1fs  ETA %.1fs  "
                "%.2f M events/s ", fill, "##############################",
                width - fill, "                              ", sw->points_done,
                sw->points_total, sw->units_done, sw->units_total, elapsed, eta,
                elapsed > 0 ? (double) sw->events / elapsed / 1e6 : 0.0);
        fflush(stderr);
    } else if (point_done) {
        printf("point %u/%u done (%s) %s, %.1f s elapsed\n", sw->points_done,
               sw->points_total, p->label, p->hash, elapsed);
        fflush(stdout);
    }
}

/* Runs replication 'rep' of point 'p' into its temporary directory;
 * returns the events it executed. Safe on any thread. */
static uint64_t
runner_unit_run(Point *p, uint32_t rep, GError **error)
{
    g_autofree char *sub = g_strdup_printf("rep-%03u", rep);
    g_autofree char *dir = g_build_filename(p->temp_dir, sub, NULL);
    g_autoptr(VnsReport) report = NULL;
    double events = 0;

    if (g_mkdir_with_parents(dir, 0777) != 0) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                    "cannot create '%s': %s", dir, g_strerror(errno));
        return 0;
    }
    report = vns_experiment_run_into(p->exp, rep, dir, NULL, NULL, error);
    if (report == NULL || !vns_run_write_report(dir, p->exp, report, error))
        return 0;
    vns_report_get_num(report, "run", p->exp->name, "events", &events);
    return (uint64_t) events;
}

/* Accounts for one finished replication (takes 'error'); when it was the
 * point's last, writes params.json and renames the point into place. */
static void
runner_unit_done(Sweep *sw, Point *p, uint64_t events, GError *error)
{
    g_mutex_lock(&sw->lock);
    sw->events += events;
    if (error != NULL) {
        p->failed = true;
        if (sw->error == NULL)
            sw->error = error;
        else
            g_error_free(error);
    }
    sw->units_done++;
    if (--p->reps_left == 0 && !p->failed && sw->error == NULL) {
        g_autofree char *params = vns_experiment_params_json(p->exp);
        g_autofree char *text = g_strconcat(params, "\n", NULL);
        g_autofree char *pp = g_build_filename(p->temp_dir, "params.json", NULL);
        GError *e2 = NULL;
        if (!vns_file_write_atomic(pp, text, -1, &e2) ||
            g_rename(p->temp_dir, p->final_dir) != 0) {
            if (e2 == NULL)
                g_set_error(&e2, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                            "cannot rename '%s': %s", p->temp_dir, g_strerror(errno));
            if (sw->error == NULL)
                sw->error = e2;
            else
                g_error_free(e2);
        } else {
            sw->points_done++;
            sweep_progress(sw, p, true);
        }
    } else {
        sweep_progress(sw, p, false);
    }
    g_mutex_unlock(&sw->lock);
}

static bool
runner_failed(Sweep *sw, const Point *p)
{
    bool failed;
    g_mutex_lock(&sw->lock);
    failed = sw->error != NULL || p->failed;
    g_mutex_unlock(&sw->lock);
    return failed;
}

/* A local worker thread's job. */
static void
sweep_unit(gpointer data, gpointer user)
{
    Unit *u = data;
    Sweep *sw = user;
    GError *error = NULL;
    uint64_t events = 0;

    if (!runner_failed(sw, u->point))
        events = runner_unit_run(u->point, u->rep, &error);
    runner_unit_done(sw, u->point, events, error);
    if (u->finished != NULL)
        g_async_queue_push(u->finished, GINT_TO_POINTER(1));
    g_free(u);
}

/* Removes temporary point directories left by an interrupted sweep. */
static void
runner_clean_stale(const char *points_dir)
{
    g_autoptr(GDir) d = g_dir_open(points_dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        if (name[0] == '.' && strstr(name, ".tmp-") != NULL) {
            g_autofree char *p = g_build_filename(points_dir, name, NULL);
            vns_remove_tree(p);
        }
    }
}

#ifdef HAVE_MPI
/* The MPI protocol (DESIGN.md, Scale): rank 0 coordinates, handing out
 * units one at a time on request (dynamic assignment: a slow point holds
 * back only the rank that runs it) and running units on its own -j threads
 * between requests. A request carries the previous unit's outcome:
 * {point, rep, failed, events}, point = -1 for none; the reply is {point,
 * rep}, point = -1 meaning stop. Rank 0 alone commits points and writes
 * the sweep table, so results equal a -j 1 run's. */
enum { MPI_TAG_REQUEST = 1, MPI_TAG_REPLY = 2 };

static void
runner_mpi_coordinate(const VnsRunOptions *opt, Sweep *sw, GArray *units,
                      bool ok)
{
    GAsyncQueue *finished = g_async_queue_new();
    guint jobs = MAX(opt->jobs, 1), next = ok ? 0 : units->len;
    guint local_busy = 0;
    int stopped = 0, workers = opt->mpi_size - 1;
    GThreadPool *pool = g_thread_pool_new(sweep_unit, sw, (gint) jobs, TRUE, NULL);

    while (stopped < workers || local_busy > 0 || next < units->len) {
        bool idle = true;
        int flag = 0;
        MPI_Status st;

        if (sw->error != NULL)
            next = units->len;      /* stop handing out work */
        while (local_busy < jobs && next < units->len) {
            Unit *u = g_memdup2(&g_array_index(units, Unit, next++), sizeof(Unit));
            u->finished = finished;
            local_busy++;
            g_thread_pool_push(pool, u, NULL);
            idle = false;
        }
        while (g_async_queue_try_pop(finished) != NULL) {
            local_busy--;
            idle = false;
        }
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_TAG_REQUEST, MPI_COMM_WORLD, &flag, &st);
        if (flag) {
            int64_t msg[4], reply[2] = { -1, -1 };
            MPI_Recv(msg, 4, MPI_INT64_T, st.MPI_SOURCE, MPI_TAG_REQUEST,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (msg[0] >= 0) {
                Point *p = sw->points->pdata[msg[0]];
                GError *e = NULL;
                if (msg[2])
                    g_set_error(&e, VNS_OUT_ERROR, VNS_OUT_ERROR_FAILED,
                                "MPI rank %d failed on point %s replication %"
                                G_GINT64_FORMAT " (its message is above)",
                                st.MPI_SOURCE, p->hash, msg[1]);
                runner_unit_done(sw, p, (uint64_t) msg[3], e);
            }
            if (next < units->len && sw->error == NULL) {
                Unit *u = &g_array_index(units, Unit, next++);
                guint index = 0;
                g_ptr_array_find(sw->points, u->point, &index);
                reply[0] = (int64_t) index;
                reply[1] = u->rep;
            } else {
                stopped++;
            }
            MPI_Send(reply, 2, MPI_INT64_T, st.MPI_SOURCE, MPI_TAG_REPLY, MPI_COMM_WORLD);
            idle = false;
        }
        if (idle)
            g_usleep(500);
    }
    g_thread_pool_free(pool, FALSE, TRUE);
    g_async_queue_unref(finished);
}

/* A worker rank: asks rank 0 for units until told to stop. */
static void
runner_mpi_work(Sweep *sw)
{
    int64_t msg[4] = { -1, -1, 0, 0 };

    for (;;) {
        int64_t unit[2];
        GError *e = NULL;
        uint64_t events;

        MPI_Send(msg, 4, MPI_INT64_T, 0, MPI_TAG_REQUEST, MPI_COMM_WORLD);
        MPI_Recv(unit, 2, MPI_INT64_T, 0, MPI_TAG_REPLY, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        if (unit[0] < 0)
            break;
        events = runner_unit_run(sw->points->pdata[unit[0]], (uint32_t) unit[1], &e);
        msg[0] = unit[0];
        msg[1] = unit[1];
        msg[2] = e != NULL;
        msg[3] = (int64_t) events;
        if (e != NULL) {
            fprintf(stderr, "%s\n", e->message);
            g_error_free(e);
        }
    }
}
#endif

/* Runs every unfinished point of the sweep. */
static bool
runner_sweep(const VnsRunOptions *opt, const VnsExperiment *base,
             const VnsSweep *sweep, const char *outdir, GError **error)
{
    Sweep sw = { opt, g_ptr_array_new_with_free_func((GDestroyNotify) point_free) };
    g_autofree char *points_dir = g_build_filename(outdir, "points", NULL);
    g_autoptr(GString) index = g_string_new("# point");
    g_autoptr(GArray) units = g_array_new(FALSE, FALSE, sizeof(Unit));
    /* Temporary point directories are named after the process that
     * commits them: rank 0's under MPI. */
    int owner_pid = (int) getpid();
    bool ok = true;

#ifdef HAVE_MPI
    if (opt->mpi_size > 1)
        MPI_Bcast(&owner_pid, 1, MPI_INT, 0, MPI_COMM_WORLD);
#endif
    g_mutex_init(&sw.lock);
    for (guint a = 0; a < sweep->names->len; a++)
        g_string_append_printf(index, "\t%s", (char *) sweep->names->pdata[a]);
    g_string_append_c(index, '\n');
    /* Load and check every point before anything runs. */
    for (guint i = 0; i < sweep->points->len; i++) {
        g_auto(GStrv) sets = vns_sweep_point_sets(sweep, i, opt->sets);
        Point *p = g_new0(Point, 1);
        g_autoptr(GString) label = g_string_new(NULL);
        char **vals = sweep->points->pdata[i];

        g_ptr_array_add(sw.points, p);
        p->exp = runner_load_checked(opt, (const char *const *) sets, error);
        if (p->exp == NULL) {
            g_ptr_array_free(sw.points, TRUE);
            g_mutex_clear(&sw.lock);
            return false;
        }
        p->hash = runner_point_hash(p->exp);
        p->final_dir = g_build_filename(points_dir, p->hash, NULL);
        p->temp_dir = g_strdup_printf("%s/.%s.tmp-%d", points_dir, p->hash, owner_pid);
        p->reps_left = p->exp->replications;
        g_string_append(index, p->hash);
        for (guint a = 0; a < sweep->names->len; a++) {
            g_string_append_printf(index, "\t%s", vals[a]);
            g_string_append_printf(label, "%s%s=%s", a ? " " : "",
                                   (char *) sweep->names->pdata[a], vals[a]);
        }
        g_string_append_c(index, '\n');
        p->label = g_strdup(label->len ? label->str : "single point");
    }
    if (g_mkdir_with_parents(points_dir, 0777) != 0) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO, "cannot create '%s': %s",
                    points_dir, g_strerror(errno));
        ok = false;
    }
    if (ok && opt->mpi_rank == 0) {
        g_autofree char *ip = g_build_filename(outdir, "points.tsv", NULL);
        runner_clean_stale(points_dir);
        ok = vns_file_write_atomic(ip, index->str, (gssize) index->len, error) &&
             runner_copy_inputs(outdir, base, error);
    }
    sw.points_total = sw.points->len;
    sw.started_us = g_get_monotonic_time();
    /* Rank 0 decides what is left to do; other ranks take units from it. */
    for (guint i = 0; ok && opt->mpi_rank == 0 && i < sw.points->len; i++) {
        Point *p = sw.points->pdata[i];
        bool done = g_file_test(p->final_dir, G_FILE_TEST_IS_DIR);
        if (done && opt->force) {
            vns_remove_tree(p->final_dir);
            done = false;
        }
        if (done) {
            sw.points_done++;
            if (!opt->quiet && !opt->tty)
                printf("point %u/%u already done (%s) %s\n", i + 1, sw.points_total,
                       p->label, p->hash);
            continue;
        }
        vns_remove_tree(p->temp_dir);
        for (uint32_t r = 0; r < p->exp->replications; r++) {
            Unit u = { p, r, NULL };
            g_array_append_val(units, u);
        }
    }
    sw.units_total = units->len;
    if (opt->mpi_size > 1) {
#ifdef HAVE_MPI
        if (opt->mpi_rank == 0)
            runner_mpi_coordinate(opt, &sw, units, ok);
        else
            runner_mpi_work(&sw);
#else
        g_assert_not_reached();
#endif
    } else if (ok) {
        GThreadPool *pool = g_thread_pool_new(sweep_unit, &sw, (gint) MAX(opt->jobs, 1),
                                              TRUE, NULL);
        for (guint i = 0; i < units->len; i++)
            g_thread_pool_push(pool, g_memdup2(&g_array_index(units, Unit, i),
                                               sizeof(Unit)), NULL);
        g_thread_pool_free(pool, FALSE, TRUE);
    }
    if (opt->tty && !opt->quiet)
        fputs("\r\033[K", stderr);
    if (ok && sw.error != NULL) {
        g_propagate_error(error, sw.error);
        sw.error = NULL;
        ok = false;
    }
    /* What a failure left half-written; rank 0 alone, as other ranks may
     * finish while rank 0 still writes. */
    for (guint i = 0; opt->mpi_rank == 0 && i < sw.points->len; i++)
        vns_remove_tree(((Point *) sw.points->pdata[i])->temp_dir);
    g_clear_error(&sw.error);
    g_ptr_array_free(sw.points, TRUE);
    g_mutex_clear(&sw.lock);
    return ok;
}

typedef struct {
    gint64 started_us;
    gint64 last_us;
} RunProgress;

/* The live progress line of a single run on a terminal. */
static void
runner_progress(void *data, VnsTime now, VnsTime end, uint64_t events)
{
    RunProgress *ps = data;
    gint64 t = g_get_monotonic_time();
    double wall = (double) (t - ps->started_us) / 1e6;
    double frac = end > 0 ? (double) now / (double) end : 1.0;
    double eta = frac > 0 ? wall * (1.0 - frac) / frac : 0.0;

    if (t - ps->last_us < 100000)
        return;
    ps->last_us = t;
    fprintf(stderr, "\r  sim %.6fs  %3.0f%%  %.2f M events/s  ETA %.1fs   ",
            vns_time_to_s(now), frac * 100.0,
            wall > 0 ? (double) events / wall / 1e6 : 0.0, eta);
    fflush(stderr);
}

/* Runs a single point with one replication into an atomic directory. */
static bool
runner_single(const VnsRunOptions *opt, const VnsExperiment *exp,
              const char *outdir, GError **error)
{
    g_autoptr(VnsResultDir) dir = vns_result_dir_begin(outdir, error);
    g_autoptr(VnsReport) report = NULL;
    gint64 t0 = g_get_monotonic_time();

    if (dir == NULL)
        return false;
    RunProgress ps = { t0, 0 };
    bool live = opt->tty && !opt->quiet;
    report = vns_experiment_run_into(exp, 0, vns_result_dir_temp_path(dir),
                                     live ? runner_progress : NULL, &ps, error);
    if (live)
        fputs("\r\033[K", stderr);
    if (report == NULL ||
        !vns_run_write_report(vns_result_dir_temp_path(dir), exp, report, error) ||
        !runner_copy_inputs(vns_result_dir_temp_path(dir), exp, error) ||
        !vns_result_dir_commit(dir, error))
        return false;
    if (!opt->quiet) {
        printf("%s: %.3f s wall\n", exp->name,
               (double) (g_get_monotonic_time() - t0) / 1e6);
        for (guint i = 0; i < vns_report_n_rows(report); i++) {
            const VnsReportRow *row = vns_report_get_row(report, i);
            double goodput = NAN, p99 = NAN, loss = NAN;
            if (strcmp(row->table, "flows") != 0)
                continue;
            vns_report_get_num(report, "flows", row->name, "goodput_bps", &goodput);
            vns_report_get_num(report, "flows", row->name, "latency_p99_s", &p99);
            vns_report_get_num(report, "flows", row->name, "loss", &loss);
            /* TCP flows report no per-packet latency or loss. */
            printf("  flow %-16s goodput %10.3f Mbit/s", row->name, goodput / 1e6);
            if (isfinite(p99))
                printf("  p99 latency %9.3f ms", p99 * 1e3);
            if (isfinite(loss))
                printf("  loss %.4f", loss);
            printf("\n");
        }
    }
    return true;
}

/*
 * vns_runner_run:
 * Loads and checks the experiment (every sweep point), then runs it: a
 * single run with one replication writes its files straight into the
 * results directory; otherwise each point goes to points/HASH/rep-NNN and
 * the sweep table is computed at the end. Points finished by an earlier,
 * interrupted run of the same inputs are skipped unless 'force'.
 */
char *
vns_runner_run(const VnsRunOptions *opt, GError **error)
{
    g_autoptr(VnsExperiment) base = runner_load_checked(opt, opt->sets, error);
    g_autoptr(VnsSweep) sweep = NULL;
    g_autofree char *outdir = NULL;

    if (base == NULL)
        return NULL;
    sweep = vns_sweep_load(base, error);
    if (sweep == NULL)
        return NULL;
    outdir = opt->outdir != NULL ? g_strdup(opt->outdir)
                                 : g_build_filename("results", base->name, NULL);
    if (sweep->names->len == 0 && base->replications == 1 && opt->mpi_size <= 1) {
        if (!runner_single(opt, base, outdir, error))
            return NULL;
        return g_steal_pointer(&outdir);
    }
    if (!runner_sweep(opt, base, sweep, outdir, error))
        return NULL;
    if (opt->mpi_rank == 0 && !vns_runner_aggregate(outdir, error))
        return NULL;
    return g_steal_pointer(&outdir);
}

/* Splits one CSV record (RFC 4180 quoting) into cells. */
static GPtrArray *
runner_csv_split(const char *line)
{
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
    GString *cell = g_string_new(NULL);
    bool quoted = false;

    for (const char *p = line;; p++) {
        if (quoted) {
            if (*p == '"' && p[1] == '"') {
                g_string_append_c(cell, '"');
                p++;
            } else if (*p == '"') {
                quoted = false;
            } else if (*p == '\0') {
                break;
            } else {
                g_string_append_c(cell, *p);
            }
        } else if (*p == '"') {
            quoted = true;
        } else if (*p == ',' || *p == '\0') {
            g_ptr_array_add(cells, g_strdup(cell->str));
            g_string_truncate(cell, 0);
            if (*p == '\0')
                break;
        } else {
            g_string_append_c(cell, *p);
        }
    }
    g_string_free(cell, TRUE);
    return cells;
}

typedef struct {
    char *key;                  /* table.name.metric */
    GArray *values;             /* of double, one per replication */
} Metric;

static void
metric_free(Metric *m)
{
    g_free(m->key);
    g_array_free(m->values, TRUE);
    g_free(m);
}

/* Reads every rep-NNN/summary.csv of a point into 'metrics' (in first-seen
 * order, 'order' holding keys). Returns the replications read. */
static guint
runner_read_point(const char *point_dir, GHashTable *metrics, GPtrArray *order)
{
    guint reps = 0;

    for (;; reps++) {
        g_autofree char *sub = g_strdup_printf("rep-%03u/summary.csv", reps);
        g_autofree char *path = g_build_filename(point_dir, sub, NULL);
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
            break;
        lines = g_strsplit(text, "\n", -1);
        for (size_t i = 1; lines[i] != NULL; i++) {
            g_autoptr(GPtrArray) c = NULL;
            g_autofree char *key = NULL;
            char *end;
            double v;
            Metric *m;

            if (lines[i][0] == '\0')
                continue;
            c = runner_csv_split(lines[i]);
            if (c->len != 4)
                continue;
            v = g_ascii_strtod(c->pdata[3], &end);
            if (end == c->pdata[3] || *end != '\0')
                continue;       /* text values are not metrics */
            key = g_strdup_printf("%s.%s.%s", (char *) c->pdata[0],
                                  (char *) c->pdata[1], (char *) c->pdata[2]);
            m = g_hash_table_lookup(metrics, key);
            if (m == NULL) {
                m = g_new0(Metric, 1);
                m->key = g_strdup(key);
                m->values = g_array_new(FALSE, FALSE, sizeof(double));
                g_hash_table_insert(metrics, m->key, m);
                g_ptr_array_add(order, m->key);
            }
            g_array_append_val(m->values, v);
        }
    }
    return reps;
}

static void
runner_csv_num(GString *out, double v)
{
    g_string_append_c(out, ',');
    vns_report_format_num(out, v);
}

static void
runner_json_num(GString *out, double v)
{
    if (isfinite(v))
        vns_report_format_num(out, v);
    else
        g_string_append(out, "null");
}

/*
 * vns_runner_aggregate:
 * Reads DIR/points.tsv and each finished point's replications, and writes
 * DIR/sweep.csv and DIR/sweep.json: per point the axis values, the number
 * of replications, and for every numeric metric its mean, standard
 * deviation and the half-width of the 95% Student-t confidence interval.
 * Metrics are named TABLE.ROW.METRIC; the columns are the union over
 * points, in first-seen order.
 */
bool
vns_runner_aggregate(const char *dir, GError **error)
{
    g_autofree char *index_path = g_build_filename(dir, "points.tsv", NULL);
    g_autofree char *index = NULL;
    g_auto(GStrv) lines = NULL, axes = NULL;
    g_autoptr(GPtrArray) per_point = g_ptr_array_new_with_free_func((GDestroyNotify) g_hash_table_unref);
    g_autoptr(GPtrArray) reps = g_ptr_array_new();
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GString) csv = g_string_new("point");
    g_autoptr(GString) json = g_string_new("{\n  \"axes\": [");
    guint n_points = 0;

    if (!g_file_get_contents(index_path, &index, NULL, error))
        return false;
    lines = g_strsplit(index, "\n", -1);
    /* "# point\tAXIS1\tAXIS2...": axes[0] is the "# point" cell. */
    axes = g_strsplit(lines[0], "\t", -1);
    for (size_t a = 1; axes[a] != NULL; a++) {
        g_string_append_printf(csv, ",%s", axes[a]);
        g_string_append(json, a > 1 ? ", " : "");
        vns_report_json_string(json, axes[a]);
    }
    g_string_append(csv, ",replications");
    g_string_append(json, "],\n  \"points\": [");
    for (size_t i = 1; lines[i] != NULL; i++) {
        g_auto(GStrv) f = NULL;
        g_autofree char *pd = NULL;
        GHashTable *m;
        GPtrArray *o;
        if (lines[i][0] == '\0')
            continue;
        f = g_strsplit(lines[i], "\t", -1);
        pd = g_build_filename(dir, "points", f[0], NULL);
        m = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) metric_free);
        o = g_ptr_array_new();
        g_ptr_array_add(reps, GUINT_TO_POINTER(runner_read_point(pd, m, o)));
        for (guint k = 0; k < o->len; k++) {
            if (!g_hash_table_contains(seen, o->pdata[k])) {
                char *key = g_strdup(o->pdata[k]);
                g_hash_table_add(seen, key);
                g_ptr_array_add(order, key);
            }
        }
        g_ptr_array_free(o, TRUE);
        g_ptr_array_add(per_point, m);
    }
    for (guint k = 0; k < order->len; k++)
        g_string_append_printf(csv, ",%s.mean,%s.sd,%s.ci95", (char *) order->pdata[k],
                               (char *) order->pdata[k], (char *) order->pdata[k]);
    g_string_append_c(csv, '\n');
    for (size_t i = 1; lines[i] != NULL; i++) {
        g_auto(GStrv) f = NULL;
        GHashTable *m;
        guint nrep;
        if (lines[i][0] == '\0')
            continue;
        f = g_strsplit(lines[i], "\t", -1);
        m = per_point->pdata[n_points];
        nrep = GPOINTER_TO_UINT(reps->pdata[n_points]);
        g_string_append(csv, f[0]);
        g_string_append_printf(json, "%s\n    {\"point\": ", n_points ? "," : "");
        vns_report_json_string(json, f[0]);
        g_string_append(json, ", \"params\": {");
        for (size_t a = 1; f[a] != NULL && axes[a] != NULL; a++) {
            g_string_append_printf(csv, ",%s", f[a]);
            g_string_append(json, a > 1 ? ", " : "");
            vns_report_json_string(json, axes[a]);
            g_string_append(json, ": ");
            vns_report_json_string(json, f[a]);
        }
        g_string_append_printf(csv, ",%u", nrep);
        g_string_append_printf(json, "}, \"replications\": %u, \"metrics\": {", nrep);
        for (guint k = 0, first = 1; k < order->len; k++) {
            Metric *mt = g_hash_table_lookup(m, order->pdata[k]);
            VnsCi ci = { 0, 0.95, NAN, NAN, NAN };
            if (mt != NULL)
                vns_ci_from_values((const double *) mt->values->data, mt->values->len,
                                   VNS_CI_DEFAULT_LEVEL, &ci, NULL);
            runner_csv_num(csv, ci.mean);
            runner_csv_num(csv, ci.stddev);
            runner_csv_num(csv, ci.half_width);
            if (mt == NULL)
                continue;
            g_string_append(json, first ? "\n      " : ",\n      ");
            first = 0;
            vns_report_json_string(json, order->pdata[k]);
            g_string_append(json, ": {\"mean\": ");
            runner_json_num(json, ci.mean);
            g_string_append(json, ", \"sd\": ");
            runner_json_num(json, ci.stddev);
            g_string_append(json, ", \"ci95\": ");
            runner_json_num(json, ci.half_width);
            g_string_append(json, "}");
        }
        g_string_append(json, "}}");
        g_string_append_c(csv, '\n');
        n_points++;
    }
    g_string_append(json, "\n  ]\n}\n");
    for (guint k = 0; k < order->len; k++)
        g_free(order->pdata[k]);
    {
        g_autofree char *pc = g_build_filename(dir, "sweep.csv", NULL);
        g_autofree char *pj = g_build_filename(dir, "sweep.json", NULL);
        return vns_file_write_atomic(pc, csv->str, (gssize) csv->len, error) &&
               vns_file_write_atomic(pj, json->str, (gssize) json->len, error);
    }
}
