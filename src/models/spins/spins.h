/* Asymmetric spin networks in continuous time (Ingrosso & Panizon,
 * "computation-dissipation bottleneck"): internals shared by the model's
 * files and its tests.
 *
 * n spins s_i = +-1 (two chains of N, spin (m, c) at index c*N + m, or any n
 * from a coupling-matrix file).  Spin i flips at rate r0 exp(-beta s_i h_i),
 * h = W s + x.  A jump s -> s' (flip of i) produces the medium entropy
 * ln k(s->s')/k(s'->s) = -beta s_i (h_i(s) + h_i(s')) = -2 beta s_i h_i(s) + 2 beta W_ii.
 *
 * States of the exact master equation are numbered by bits: bit i of state b
 * is 1 when s_i = +1.
 */
#ifndef THERMOLEARN_SPINS_H
#define THERMOLEARN_SPINS_H

#include <stddef.h>
#include <stdint.h>

#include "thermolearn/dataset.h"
#include "thermolearn/model.h"

#define SPINS_MAX_N 4096          /* spins in all */
#define SPINS_MAX_EXACT 14        /* exact master equation for n <= this (2^14 states) */
#define SPINS_MAX_DENSE 10        /* dense LU up to here, sparse GMRES above */
#define SPINS_MAX_INPUTS 1000000  /* inputs of one point (lines of the inputs file, or patterns) */
/* Streams of input mu: input 0 draws from TL_PURPOSE_DYNAMICS and
 * TL_PURPOSE_INITIAL, as a network with one input always did; input mu > 0
 * from the model purposes TL_PURPOSE_MODEL + 2(mu - 1) (dynamics) and + 1
 * (initial state).  The purpose takes counter bits 8-31 of word 3 (stream.h):
 * past 255 it shares bits 16-31 with the trajectory's high word, which is 0
 * because a run has fewer than 2^32 trajectories (config.c), so every
 * (input, kind) has its own stream up to SPINS_MAX_INPUTS. */
static inline uint32_t spins_purpose(int input, uint32_t kind)
{
    return input == 0 ? kind : TL_PURPOSE_MODEL + 2u * (uint32_t)(input - 1) + (kind == TL_PURPOSE_INITIAL);
}

typedef struct spins {
    /* parameters */
    int n;                 /* spins */
    int chain_length;      /* N (0 with a coupling-matrix file) */
    int neighbours;        /* k (0 with a coupling-matrix file) */
    double beta, rate, time, transient;
    int64_t max_jumps;     /* in the measurement window; 0: no limit */
    int initial_steady;    /* initial state from the exact steady state */
    double ift_time;       /* > 0: the IFT window (see ift_window); 0: auto */

    double *w;             /* W_ij at [i * n + j] */
    double *x;             /* input field x_i */
    /* who feels a flip of spin j: fields h_i with W_ij != 0, i in
     * col[col_start[j] .. col_start[j+1]-1], with weights col_w */
    int *col_start, *col;
    double *col_w;
    double *col_factor;    /* [2c]: exp(-2 beta W_ij), [2c+1]: exp(+2 beta W_ij), the rate factors of a flip
                              for s_i = s_j and s_i != s_j after it (a load, not a branch) */
    int shared;            /* w and the columns belong to another system (spins_alloc_input) */

    /* the inputs of a point: this system is input 0; others[mu - 1] is input
     * mu, sharing W (see spins_input) */
    int input;             /* this system's input index (its streams: spins_purpose) */
    int n_inputs;
    struct spins **others;

    /* exact steady state (n <= SPINS_MAX_EXACT, else NULL / NaN) */
    size_t n_states;
    double *p;             /* p(b) */
    double *cdf;           /* cumulative p, for initial draws */
    double ep_rate_exact;  /* Schnakenberg, eq. 1 */
    double *m_exact;       /* <s_i> */
    double ift_growth;     /* d var(exp(-Sigma_tot)) / dt at t = 0 from the steady state */
    double ift_max_weight; /* the largest exp(-Sigma_tot) of one jump (spins_ift_tail) */

    /* task = random: the SPSA optimum of the point (NaN / NULL without a task;
     * task_mse and task_cross_entropy NaN unless it is the task's readout) */
    double task_mse, task_sigma;
    double task_cross_entropy, task_accuracy;
    double task_test_cross_entropy, task_test_accuracy; /* on a dataset's test rows (NaN without) */
    double *task_theta;    /* [spins_chain_n_couplings(neighbours)] */
    struct spins_task_setup *pending; /* set up, not yet optimised: see spins_prepare */
    double *pending_x;     /* [n_inputs][n] */
    int pending_initial;
} spins;

/* What one Gillespie trajectory measures (gillespie.c). */
typedef struct {
    double sigma;          /* medium entropy production over the window */
    double rate;           /* sigma / window length */
    double total;          /* sigma + ln p_ss(s_start) - ln p_ss(s_end); NaN without the exact steady state */
    double ift_total;      /* the same over the first ift_window of the window; NaN without it */
    uint64_t jumps;        /* jumps of the whole trajectory, transient included */
} spins_result;

/* The observables of a trajectory (the device runs every input once) and its
 * profiles, in the order of the model's tables. */
enum { SPINS_OBS_EP, SPINS_OBS_EP_RATE, SPINS_OBS_EP_TOTAL, SPINS_OBS_IFT_WEIGHT, SPINS_N_OBS };
enum { SPINS_PROFILE_M, SPINS_PROFILE_EP_RATE, SPINS_PROFILE_IFT, SPINS_N_PROFILES };

/* Parameters and set-up (spins.c). */
int spins_validate_point(const tl_point *pt, char *why, size_t len);
/* The state of a grid point: one system per input, sharing W. */
spins *spins_alloc(const tl_point *pt);
/* A system from its parts, for tests and tools: w [n*n], x [n]; exact when n <= SPINS_MAX_EXACT. */
spins *spins_alloc_direct(int n, const double *w, const double *x, double beta, double rate, double time,
                          double transient, int initial_steady);
/* The same, with the exact steady state only when `exact` (and n <= SPINS_MAX_EXACT). */
spins *spins_alloc_system(int n, const double *w, const double *x, double beta, double rate, double time,
                          double transient, int exact, int initial_steady);
/* n_inputs inputs x [n_inputs][n] on one W: the returned system is input 0,
 * the others share its couplings; each has its own exact steady state. */
spins *spins_alloc_inputs(int n, const double *w, int n_inputs, const double *x, double beta, double rate,
                          double time, double transient, int exact, int initial_steady);
/* The system of input mu (0 .. n_inputs - 1). */
spins *spins_input(const spins *s, int mu);
/* Set max_jumps and ift_time on every input. */
void spins_set_window(spins *s, int64_t max_jumps, double ift_time);
/* Length of the start of the measurement window over which the ift profile
 * takes Sigma_tot: ift_time if given, else the time in which the exact
 * steady state produces one unit of entropy (the whole window at
 * equilibrium); at most the window (time - transient).  NaN without the
 * exact steady state. */
double spins_ift_window(const spins *s);
void spins_free(spins *s);
/* Project chain couplings (6k+2) onto the symmetric ones (W = W^T): each
 * coupling and its transpose partner (docs/models/spins.md) take their mean. */
void spins_chain_symmetrise(int k, double *c);
/* The partner of coupling i under W -> W^T (itself for none). */
int spins_chain_partner(int k, int i);
/* The task of a point: 0 none, 1 the random task, 2 a dataset. */
static inline int spins_point_task(const tl_point *pt)
{
    return tl_point_choice(pt, "dataset") != 0 ? 2 : tl_point_choice(pt, "task") != 0;
}

/* The dataset of a point (dataset = mnist1d | file; data.c): training rows and
 * test rows (NULL when the source has none), owned by a per-process cache. */
typedef struct {
    tl_dataset *train, *test;
} spins_data;
int spins_data_get(const tl_point *pt, const spins_data **out, char *why, size_t len);
/* The training points M (samples, or every row) and test points of the point. */
size_t spins_data_train_rows(const tl_point *pt, const spins_data *d);
size_t spins_data_test_rows(const tl_point *pt, const spins_data *d);
/* samples, test_samples, features against chain_length, labels against classes, readout. */
int spins_data_validate(const tl_point *pt, char *why, size_t len);

/* W of a double chain of N spins with neighbours k from the 6k+2 couplings (order: docs/models/spins.md). */
void spins_chain_matrix(int chain_length, int k, const double *c, double *w);
/* Number of independent chain couplings for neighbours k. */
int spins_chain_n_couplings(int k);

/* Flip rate of spin i in state b (bits) and the master-equation generator (exact.c). */
double spins_flip_rate(const spins *s, uint64_t b, int i);
/* Steady state of the master equation by GSL linear algebra: dense LU up to
 * 2^SPINS_MAX_DENSE states, restarted GMRES on the sparse generator above.
 * Returns 0, or TL_ERR_NUMERIC when GMRES does not converge. */
int spins_steady_state(const spins *s, double *p);
/* Schnakenberg entropy production rate (eq. 1) of a distribution p. */
double spins_schnakenberg(const spins *s, const double *p);
/* Mean medium entropy production rate sum_b p(b) sum_i k_i(b) ln k_i(b)/k_i(b^i). */
double spins_medium_rate(const spins *s, const double *p);
/* The tail of exp(-Sigma_tot) from the steady state p.  A jump b -> b' has
 * Sigma_tot = ln J(b->b')/J(b'->b), J the steady fluxes, so its weight
 * exp(-Sigma_tot) is J(b'->b)/J(b->b'): max_weight is the largest.  Over a
 * short window dt, <exp(-2 Sigma_tot)> - 1 = dt * growth with
 * growth = sum (J(b'->b)^2 / J(b->b') - J(b->b')) over ordered pairs (about
 * twice the entropy production rate near equilibrium, far more when a flux
 * has a rare reverse). */
void spins_ift_tail(const spins *s, const double *p, double *growth, double *max_weight);
/* Fill p, cdf, ep_rate_exact, m_exact, ift_growth and ift_max_weight. */
void spins_exact(spins *s);
/* The closed form of appendix C (eqs. C1-C3, corrected: docs/models/spins.md) for two spins,
 * W = [[0, js + ja], [js - ja, 0]]: p[b] for states b = 0..3. */
void spins_two_spin_closed_form(double beta, double js, double ja, double x1, double x2, double p[4]);

/* Gillespie simulation (gillespie.c). */
typedef struct spins_walker spins_walker;
spins_walker *spins_walker_alloc(int n);
/* With `bucket` rates (a power of two, 1 .. 16) per leaf of the pick's tree
 * of rates instead of 16: tests run the tree's descent on small systems. */
spins_walker *spins_walker_alloc_bucket(int n, int bucket);
void spins_walker_free(spins_walker *w);
/* A trajectory's IFT weight made bounded by the detailed fluctuation
 * theorem: 1{S >= 0} exp(-S) + 1{S > 0}, mean 1 in the steady state (gillespie.c). */
double spins_ift_bounded(double sigma_tot);

/* One trajectory t of one system (one input) from the streams of (key, t) and
 * the system's input (spins_purpose): fills r, and the time average of every
 * spin over the window into mag[n] unless mag is NULL. */
void spins_walk(const spins *s, const tl_stream_key *key, uint64_t t, spins_walker *w, double *mag,
                spins_result *r);
/* Trajectories first .. first+count-1 of a point: each runs every input once.
 * Observables (SPINS_OBS_*) to out[o][i], profile components (SPINS_PROFILE_*,
 * row-major [input][spin] or [input]) to profile[v][c * count + i]; NULL
 * entries are skipped.  jumps, when not NULL, receives the jumps of each
 * trajectory summed over its inputs. */
void spins_simulate_batch(const spins *s, const tl_stream_key *key, uint64_t first, size_t count,
                          double *const out[TL_MAX_OBSERVABLES], double *const profile[TL_MAX_PROFILES],
                          uint64_t *jumps);

/* One trajectory t of this system alone: the time average of every spin over
 * the window into mag[n]; returns its entropy production rate. */
double spins_time_average(const spins *s, const tl_stream_key *key, uint64_t t, double *mag);

/* ---- tasks (task.c) ---- */

/* Least-squares readout y ~ m coef (no intercept, as the paper's W_out m_x),
 * GSL multifit: m [M][d], y [M]; coef [d].  Returns the mean squared error
 * (1/M) sum (y - m coef)^2. */
double spins_readout_mse(size_t M, size_t d, const double *m, const double *y, double *coef);
/* Multinomial logistic readout p_k ~ exp((W_out m)_k), W_out [K][d] in coef,
 * by GSL's BFGS on the mean cross-entropy + ridge/2 |W_out|^2.  Returns the
 * mean cross-entropy (without the ridge term). */
double spins_readout_ce(size_t M, size_t d, size_t K, const double *m, const int *labels, double ridge,
                        double *coef);
/* The objective spins_readout_ce minimises, at coef. */
double spins_readout_ce_objective(size_t M, size_t d, size_t K, const double *m, const int *labels,
                                  double ridge, const double *coef);

/* The readout of a task, in the order of the `readout` choices. */
typedef enum { SPINS_READOUT_MSE, SPINS_READOUT_CE } spins_readout;

/* A task: M inputs of N values (repeated on both chains), their labels, the
 * readout, and how the network is simulated on it.  A constructor fills the
 * data (M, x, labels, classes and, for two classes, y): spins_task_random
 * draws them; a task read from files is one more constructor. */
typedef struct {
    int chain_length, neighbours;
    double beta, rate, time, transient;
    size_t M;
    double *x;             /* [M][N] */
    double *y;             /* [M], +-1: the targets of the mse readout (class 1: +1); NULL unless classes = 2 */
    int *labels;           /* [M], classes 0 .. classes-1 */
    size_t classes;        /* K */
    spins_readout readout;
    double ridge;          /* cross-entropy readout: ridge/2 |W_out|^2 */
    int bias;              /* cross-entropy readout: logits W_out m + b */
    int64_t max_jumps;     /* each input's trajectory ends this many jumps after the transient (0: no limit) */
    size_t M_test;         /* test points (0: none), scored with the readout fitted on the M points */
    double *x_test;        /* [M_test][N] */
    int *labels_test;      /* [M_test] */
} spins_task;

/* How well a network does on a task. */
typedef struct {
    double loss;           /* the readout's error, -G: mse or cross_entropy */
    double mse;            /* least-squares readout (NaN with readout = cross_entropy) */
    double cross_entropy;  /* logistic readout, mean over the inputs (NaN with readout = mse) */
    double accuracy;       /* fraction of inputs whose predicted class is the label:
                              sign of the mse readout, most probable class of the logistic one */
    double sigma;          /* mean entropy production rate over the inputs */
    double test_cross_entropy, test_accuracy; /* on the test points (NaN without, or before the optimum) */
} spins_task_score;

/* The random task of appendix B2: x ~ N(0, 1), labels uniform in 0..K-1
 * (K = 2: y = +-1 with probability 1/2), all from seed. */
void spins_task_random(spins_task *t, size_t M, size_t classes, uint64_t seed);
void spins_task_free(spins_task *t);
/* The readout of the task on magnetisations m [M][d] (d = 2N): fills loss,
 * mse or cross_entropy, and accuracy (not sigma). */
void spins_task_readout(const spins_task *t, size_t d, const double *m, spins_task_score *score);
/* Simulate the chain with couplings theta (6k+2) on every input, one trajectory
 * each from the streams of (seed, point = tag); the readout's score and the
 * mean entropy production rate over the inputs. */
void spins_task_evaluate(const spins_task *t, const double *theta, uint64_t seed, uint32_t tag,
                         spins_task_score *score);

/* SPSA (appendix B4a) on L = G - alpha Sigma with G = -loss: minimises loss + alpha Sigma. */
typedef struct {
    int steps;
    double a, c;          /* gains a_t = a / (t + 1 + steps/10)^0.602, c_t = c / (t + 1)^0.101 */
    double alpha;
    double max_step;      /* largest change of one coupling in one step */
    uint64_t seed;        /* perturbations and simulation streams */
    int symmetric;        /* keep theta symmetric (W = W^T): equilibrium */
} spins_spsa;
/* theta holds the initial couplings and receives the optimum; the score is
 * re-evaluated there on fresh streams. */
void spins_spsa_run(const spins_task *t, const spins_spsa *opt, double *theta, spins_task_score *score);
/* spins_spsa_run in parts: steps from .. to-1 on theta (after steps 0 ..
 * from-1: the same result as one call over 0 .. to-1), and the score at theta. */
void spins_spsa_steps(const spins_task *t, const spins_spsa *opt, double *theta, int from, int to);
void spins_spsa_score(const spins_task *t, const spins_spsa *opt, const double *theta, spins_task_score *score);

/* The task of a point (task = random or a dataset).  spins_task_prepare (in
 * the engine's point_alloc) copies the task and writes its M patterns x^mu,
 * repeated on both chains, to x [M][2N] (the point's inputs).  The SPSA
 * optimisation is the engine's staged preparation: a blob of the couplings
 * and the score, stage k < S running SPSA steps k*s .. (k+1)*s - 1 (s =
 * spsa_steps_per_unit, S = ceil(spsa_steps / s)), stage S scoring the
 * optimum on fresh streams; the result does not depend on s. */
typedef struct spins_task_setup spins_task_setup;
spins_task_setup *spins_task_prepare(const tl_point *pt, double *x);
void spins_task_setup_free(spins_task_setup *su);
/* Stages of the point's optimisation (0 without a task) and the doubles of its blob. */
size_t spins_task_stages(const tl_point *pt);
size_t spins_task_blob_size(const tl_point *pt);
/* Advance the blob (zeroed before stage 0) by one stage. */
void spins_task_stage(const spins_task_setup *su, size_t stage, double *blob);
/* The optimum of a finished blob: the couplings (malloc'd, 6k+2) and the score. */
double *spins_task_result(int neighbours, const double *blob, spins_task_score *score);
/* Every stage here, in this process: the couplings (malloc'd) and the score. */
double *spins_task_solve(const spins_task_setup *su, spins_task_score *score);
/* The parameters the optimum depends on, as text (malloc'd): points with
 * equal keys share one optimisation (the engine's prepare_key). */
char *spins_task_key(const tl_point *pt);
/* Prepare a point in this process (point_prepare, for tools and tests; the
 * engine runs the stages itself): with a task, run the whole optimisation
 * that spins_alloc set up and build the system at its optimum. */
void spins_prepare(void *state);
/* The engine's staged preparation (see spins_task_stage): one stage on a
 * state fresh from spins_alloc, and the system at the optimum of a final blob. */
void spins_prepare_stage(void *state, size_t stage, double *blob);
void spins_prepare_finish(void *state, const double *blob);

/* `thermolearn bench spins` (bench.c). */
int spins_bench(int argc, char **argv);

#endif
