/* thermolearn: an MPI-parallel ensemble engine for the stochastic
 * thermodynamics of learning.  Command-line front end. */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "thermolearn/config.h"
#include "thermolearn/describe.h"
#include "thermolearn/dataset.h"
#include "thermolearn/error.h"
#include "thermolearn/inspect.h"
#include "thermolearn/run.h"
#include "thermolearn/status.h"
#include "thermolearn/version.h"

static const char *usage_main =
    "usage: thermolearn COMMAND [options]\n"
    "  run CONFIG.ini [-o OUT.h5] [--force] [--resume] [--time-limit T]\n"
    "                                         simulate the grid of CONFIG (under mpirun -n K)\n"
    "  check OUT.h5 [--json]                  free-energy estimates against exact values\n"
    "  info OUT.h5                            what a file holds\n"
    "  describe MODEL [--parameters | --datasets]\n"
    "                                         a model's parameters and datasets (markdown tables)\n"
    "  bench MODEL [options]                  one-rank kernel throughput (MODEL: hopfield)\n"
    "  data mnist1d [options] -o OUT.h5       write a generated dataset (MNIST-1D) to HDF5\n"
    "  --version, --help\n"
    "'thermolearn COMMAND --help' for a command's options.\n";

static int want_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    return 0;
}

static int usage_error(const char *usage, const char *what)
{
    if (tl_rank() == 0) fprintf(stderr, "thermolearn: %s\n%s", what, usage);
    return TL_ERR_INPUT;
}

static const char *usage_run =
    "usage: thermolearn run CONFIG.ini [-o OUT.h5] [--force] [--resume] [--checkpoint FILE]\n"
    "                      [--time-limit T] [--checkpoint-interval T] [--progress T | --progress-bar | --no-progress]\n"
    "                      [--quiet] [--break-lock]\n"
    "  Simulates every grid point of CONFIG and writes one HDF5 file (default: [run] output,\n"
    "  or CONFIG's name with .h5).  An existing file is kept unless --force is given; the\n"
    "  file is written as OUT.h5.partial and renamed when complete.\n"
    "  Completed work is saved in the checkpoint FILE (default OUT.h5.ckpt) every\n"
    "  checkpoint interval, on SIGTERM, SIGUSR1 or SIGINT, at the time limit, and when\n"
    "  the file OUT.h5.stop appears; the run then exits with status 75.  --resume continues\n"
    "  from the checkpoint (or starts if there is none); raising [run] trajectories and\n"
    "  resuming a finished run adds trajectories.  T: seconds or [D-]HH:MM:SS.\n"
    "  --progress T: seconds between progress lines in batch logs (default 60); a terminal gets a\n"
    "  live bar; under mpirun stderr is never a terminal: --progress-bar asks for the bar.\n"
    "  One run at a time writes an output: the run holds OUT.h5.lock (host, PID, SLURM job) to its end,\n"
    "  and a second run on the same output or checkpoint exits with status 3, changing nothing.\n"
    "  The lock of a run that died on this host is taken over; --break-lock takes over the lock\n"
    "  of a run on another host (make sure it is dead: docs/locking.md).\n"
    "  Exit status: 0 done, 2 bad input, 3 output or checkpoint not writable or locked by another run,\n"
    "  75 stopped (resume it).\n";

/* --time-limit and friends: a duration, or a usage error. */
static int duration_arg(int argc, char **argv, int *i, double *out)
{
    if (*i + 1 >= argc) return -1;
    return tl_parse_duration(argv[++*i], out) || *out < 0 ? -1 : 0;
}

static int command_run(int argc, char **argv)
{
    if (want_help(argc, argv)) return tl_rank() == 0 ? (void)printf("%s", usage_run), 0 : 0;
    tl_run_options opt = {.checkpoint_interval = -1};
    const char *input = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) opt.output = argv[++i];
        else if (strcmp(argv[i], "--force") == 0) opt.force = 1;
        else if (strcmp(argv[i], "--quiet") == 0) opt.quiet = 1;
        else if (strcmp(argv[i], "--resume") == 0) opt.resume = 1;
        else if (strcmp(argv[i], "--no-progress") == 0) opt.progress = -1;
        else if (strcmp(argv[i], "--progress-bar") == 0) opt.progress_bar = 1;
        else if (strcmp(argv[i], "--break-lock") == 0) opt.break_lock = 1;
        else if (strcmp(argv[i], "--checkpoint") == 0 && i + 1 < argc) opt.checkpoint = argv[++i];
        else if (strcmp(argv[i], "--time-limit") == 0) {
            if (duration_arg(argc, argv, &i, &opt.time_limit) || !(opt.time_limit > 0))
                return usage_error(usage_run, "--time-limit needs seconds > 0 or [D-]HH:MM:SS");
        } else if (strcmp(argv[i], "--checkpoint-interval") == 0) {
            if (duration_arg(argc, argv, &i, &opt.checkpoint_interval))
                return usage_error(usage_run, "--checkpoint-interval needs seconds >= 0 or HH:MM:SS");
        } else if (strcmp(argv[i], "--progress") == 0) {
            if (duration_arg(argc, argv, &i, &opt.progress) || !(opt.progress > 0))
                return usage_error(usage_run, "--progress needs seconds > 0");
        }
        else if (argv[i][0] == '-' || input) return usage_error(usage_run, "unexpected argument");
        else input = argv[i];
    }
    if (!input) return usage_error(usage_run, "no input file");
    opt.input = input;

    /* Rank 0 reads the file; every rank parses the same text. */
    char why[1024] = "";
    char *text = NULL;
    long len = 0;
    if (tl_rank() == 0) {
        text = tl_read_file(input, why, sizeof why);
        len = text ? (long)strlen(text) : -1;
    }
    MPI_Bcast(&len, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    if (len < 0) {
        tl_message("thermolearn: %s", why);
        return TL_ERR_INPUT;
    }
    if (tl_rank() != 0) text = tl_malloc((size_t)len + 1, "input text");
    MPI_Bcast(text, (int)len + 1, MPI_CHAR, 0, MPI_COMM_WORLD);
    tl_config cfg;
    int status = tl_config_parse(&cfg, input, text, why, sizeof why);
    if (!status) status = tl_config_validate_points(&cfg, why, sizeof why);
    free(text);
    if (status) tl_message("thermolearn: %s", why);
    else status = tl_run(&cfg, &opt);
    tl_config_free(&cfg);
    return status;
}

/* A watchdog for check and info: damaged HDF5 structures can make the HDF5
 * library (1.10) loop for ever inside H5Aread/H5Dread (found by
 * tests/fuzz/fuzz_h5.c).  Nothing here can break that loop, so after
 * --timeout seconds (default 600, or THERMOLEARN_READ_TIMEOUT) the command gives
 * up with a clear message and exit status 2. */
static const char *watched_path;

static void on_alarm(int sig)
{
    (void)sig;
    static const char a[] = "thermolearn: ", b[] = ": reading it did not finish in time: the file is damaged "
                                                   "(the HDF5 library loops on it) or too large for --timeout\n";
    if (write(2, a, sizeof a - 1) < 0 || write(2, watched_path, strlen(watched_path)) < 0 ||
        write(2, b, sizeof b - 1) < 0)
        _exit(TL_ERR_INPUT);
    _exit(TL_ERR_INPUT);
}

/* The HDF5 library (1.10) also crashes on some damaged files (a wild memcpy
 * in H5HG_read, found by tests/fuzz/fuzz_h5.c).  Reading is all check and
 * info do, so a crash there means the file: say so, exit with status 2.
 * Not in sanitizer builds, where the sanitizer's own report matters more. */
#if defined(__SANITIZE_ADDRESS__)
#define TL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TL_SANITIZED 1
#endif
#endif

#ifndef TL_SANITIZED
static void on_crash(int sig)
{
    (void)sig;
    static const char a[] = "thermolearn: ", b[] = ": the HDF5 library crashed reading it: the file is damaged\n";
    if (write(2, a, sizeof a - 1) < 0 || write(2, watched_path, strlen(watched_path)) < 0 ||
        write(2, b, sizeof b - 1) < 0)
        _exit(TL_ERR_INPUT);
    _exit(TL_ERR_INPUT);
}
#endif

static void catch_crashes(void)
{
#ifndef TL_SANITIZED
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    for (size_t k = 0; k < 4; k++) sigaction(sigs[k], &sa, NULL);
#endif
}

static void watchdog(const char *path, double seconds)
{
    const char *env = getenv("THERMOLEARN_READ_TIMEOUT");
    if (seconds <= 0 && env) seconds = atof(env);
    if (seconds <= 0) seconds = 600;
    watched_path = path;
    catch_crashes();
    signal(SIGALRM, on_alarm);
    alarm((unsigned)(seconds + 0.999));
}

static int command_file(int argc, char **argv, int is_check)
{
    const char *usage = is_check
        ? "usage: thermolearn check OUT.h5 [--json] [--timeout T]\n"
          "  Per grid point: exact dF, crossing, BAR +- standard error, forward and reverse Jarzynski,\n"
          "  Gaussian estimate, overlap of P_F(W) and P_R(-W), verdict (BAR within 3 standard errors).\n"
          "  Exit status: 0 all pass, 1 a point fails or its distributions do not overlap, 2 a missing,\n"
          "  unreadable, damaged or incomplete file (a dataset or attribute missing or of another shape or type).\n"
          "  --timeout T: give up (status 2) after T seconds (default 600): damaged files can make\n"
          "  the HDF5 library loop for ever.\n"
        : "usage: thermolearn info OUT.h5 [--timeout T]\n  What the file holds: provenance, grid, datasets and units.\n"
          "  --timeout T: give up (status 2) after T seconds (default 600).\n";
    if (want_help(argc, argv)) return printf("%s", usage), 0;
    const char *path = NULL;
    int json = 0;
    double timeout = 0;
    for (int i = 0; i < argc; i++) {
        if (is_check && strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "--timeout") == 0) {
            if (duration_arg(argc, argv, &i, &timeout) || !(timeout > 0))
                return usage_error(usage, "--timeout needs seconds > 0");
        }
        else if (argv[i][0] == '-' || path) return usage_error(usage, "unexpected argument");
        else path = argv[i];
    }
    if (!path) return usage_error(usage, "no file given");
    watchdog(path, timeout);
    return is_check ? tl_check(path, json) : tl_info(path);
}

static int command_describe(int argc, char **argv)
{
    static const char *usage =
        "usage: thermolearn describe MODEL [--parameters | --datasets]\n"
        "  Every parameter of MODEL (section [MODEL]) with its kind, units, default, range and\n"
        "  description, and every dataset a run of MODEL writes, as markdown tables (those of\n"
        "  docs/models/MODEL.md).  Models: %s.\n";
    if (want_help(argc, argv)) return tl_rank() == 0 ? (void)printf(usage, tl_model_names()), 0 : 0;
    const char *name = NULL;
    int what = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--parameters") == 0) what |= TL_DESCRIBE_PARAMETERS;
        else if (strcmp(argv[i], "--datasets") == 0) what |= TL_DESCRIBE_DATASETS;
        else if (argv[i][0] == '-' || name) return usage_error("usage: thermolearn describe MODEL [--parameters | --datasets]\n", "unexpected argument");
        else name = argv[i];
    }
    char why[512];
    if (!name) {
        snprintf(why, sizeof why, "describe: no model given (models: %s)", tl_model_names());
        return usage_error("usage: thermolearn describe MODEL [--parameters | --datasets]\n", why);
    }
    const tl_model_type *m = tl_model_find(name);
    if (!m) {
        snprintf(why, sizeof why, "describe: unknown model '%s' (models: %s)", name, tl_model_names());
        return usage_error("usage: thermolearn describe MODEL [--parameters | --datasets]\n", why);
    }
    if (tl_rank() == 0) tl_describe(m, what ? what : TL_DESCRIBE_PARAMETERS | TL_DESCRIBE_DATASETS, stdout);
    return 0;
}

static int command_bench(int argc, char **argv)
{
    const char *usage = "usage: thermolearn bench MODEL [options]   ('thermolearn bench hopfield --help')\n";
    if (argc < 1) return usage_error(usage, "no model given");
    const tl_model_type *m = tl_model_find(argv[0]);
    if (!m || !m->bench) return usage_error(usage, "no benchmark for that model");
    return m->bench(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("%s", usage_main);
        return argc < 2 ? TL_ERR_INPUT : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("thermolearn %s (%s)\n", tl_version, tl_git_commit); /* "-dirty": uncommitted changes */
        return 0;
    }
    MPI_Init(&argc, &argv);
    int status;
    if (strcmp(argv[1], "run") == 0) status = command_run(argc - 2, argv + 2);
    else if (strcmp(argv[1], "check") == 0) status = command_file(argc - 2, argv + 2, 1);
    else if (strcmp(argv[1], "info") == 0) status = command_file(argc - 2, argv + 2, 0);
    else if (strcmp(argv[1], "bench") == 0) status = command_bench(argc - 2, argv + 2);
    else if (strcmp(argv[1], "describe") == 0) status = command_describe(argc - 2, argv + 2);
    else if (strcmp(argv[1], "data") == 0) status = tl_data_command(argc - 2, argv + 2);
    else status = usage_error(usage_main, "unknown command");
    MPI_Finalize();
    return status;
}
