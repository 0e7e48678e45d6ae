#!/usr/bin/env bash
# `make bench`: the engine's kernel beside its limit kernel, on this machine.
#
# Runs `thermolearn bench hopfield` (N = 15, M = 2, 1000 steps, 5000
# trajectories per direction, exact equilibrium starts) and the limit kernel
# tests/bench/hopfield_limit_v2.c at the same point (--mode full: a full
# 24-bit uniform per update, as the engine draws), interleaved, BENCH_RUNS
# times each, and prints the best rate of each and their ratio.  The limit
# kernel needs AVX2 and FMA; elsewhere only the engine's rate is printed.  Rates are spin updates per
# second of wall time; on a shared machine take the best of more runs.
#
# Then the perceptron: `thermolearn bench perceptron --alpha 0.0001 --traj 32`
# (online learning, N = 10000, P = 1, 200 intervals: the weight loop; the
# batch part of that bench is a single sample at this alpha, so it costs
# nothing) beside tests/bench/perceptron_limit.c at the same point, both in
# weight-steps per second of CPU time, best of BENCH_RUNS, and their ratio.
#
# Then the OU model: `thermolearn bench ou` (n = 2, J_s = 0.5, J_a = 0.6,
# 1000 steps, 4096 trajectories) beside tests/bench/ou_limit.c at the same
# point, in trajectory-steps per second of CPU time.  The limit kernel is built
# twice: without contraction (the engine's arithmetic: its checksum must equal
# the engine's to the bit, else bench fails) and with fused multiply-adds (the
# yardstick: the ratio is taken against it, and against the first).
#
# Then the spins model's jump loop: `thermolearn bench spins --n 40 --traj 16`
# (2N = 80, two chains of 40, couplings to second neighbours, time 5000)
# beside tests/bench/spins_limit.c at the same point, in jumps per second of
# CPU time.  The same streams give the same trajectories: the totals of jumps
# and entropy are printed for both (equal but for a rounding tie of a pick).
#
# Last, `thermolearn bench hopfield --graded` (the graded network, MALA)
# beside tests/bench/graded_limit.c, built without and with contraction as
# ou_limit is: the first must print the engine's checksum, to the bit.
set -u
cd "$(dirname "$0")/../.."
RUNS=${BENCH_RUNS:-3}
SRC=tests/bench/hopfield_limit_v2.c
LIMIT=build/bench/hopfield_limit_v2
PATTERNS=---+-++-++++------+--++-++-+++ # e1 e2 of the engine's bench point (pattern_seed default)
rate() { sed -n 's/.*updates_per_s \([0-9.e+-]*\).*/\1/p' | head -1; }
max() { awk -v a="$1" -v b="$2" 'BEGIN {print (b + 0 > a + 0) ? b : a}'; }

have_limit=0
if [ -f "$SRC" ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    mkdir -p build/bench
    if [ ! -x "$LIMIT" ] || [ "$SRC" -nt "$LIMIT" ]; then
        gcc -O3 -march=native -o "$LIMIT" "$SRC" -lm || { echo "bench: cannot build $SRC" >&2; exit 1; }
    fi
    have_limit=1
else
    echo "bench: no AVX2/FMA here, so no limit kernel: the engine's rate only"
fi

engine=0 limit=0
for r in $(seq "$RUNS"); do
    e=$(bin/thermolearn bench hopfield | rate)
    engine=$(max "$engine" "$e")
    if [ $have_limit = 1 ]; then
        l=$("$LIMIT" --mode full --patterns "$PATTERNS" | rate)
        limit=$(max "$limit" "$l")
    fi
    echo "run $r: engine $e${l:+  limit $l}"
done
echo
printf '%-44s %12s\n' "hopfield (N=15, M=2, heat bath), best of $RUNS" "updates/s"
printf '%-44s %12.4e\n' "engine: thermolearn bench hopfield" "$engine"
if [ $have_limit = 1 ]; then
    printf '%-44s %12.4e\n' "limit: hopfield_limit_v2 --mode full" "$limit"
    awk -v e="$engine" -v l="$limit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (target >= 0.5)", e / l}'
fi

# ---- perceptron (online weight loop) ----
PSRC=tests/bench/perceptron_limit.c
PLIMIT=build/bench/perceptron_limit
prate() { sed -n 's/^weight_steps_per_s \([0-9.e+-]*\).*/\1/p' | head -1; }
have_plimit=0
if [ -f "$PSRC" ] && grep -qw avx2 /proc/cpuinfo; then
    mkdir -p build/bench
    if [ ! -x "$PLIMIT" ] || [ "$PSRC" -nt "$PLIMIT" ]; then
        gcc -O3 -march=native -Wno-psabi -o "$PLIMIT" "$PSRC" -lm || { echo "bench: cannot build $PSRC" >&2; exit 1; }
    fi
    have_plimit=1
fi
pengine=0 plimit=0
for r in $(seq "$RUNS"); do
    e=$(bin/thermolearn bench perceptron --alpha 0.0001 --traj 32 | prate)
    pengine=$(max "$pengine" "$e")
    l=
    if [ $have_plimit = 1 ]; then
        l=$("$PLIMIT" --n 10000 --traj 32 --intervals 200 | prate)
        plimit=$(max "$plimit" "$l")
    fi
    echo "run $r: engine $e${l:+  limit $l}"
done
echo
printf '%-44s %12s\n' "perceptron (online, N=10000), best of $RUNS" "steps/s"
printf '%-44s %12.4e\n' "engine: thermolearn bench perceptron" "$pengine"
if [ $have_plimit = 1 ]; then
    printf '%-44s %12.4e\n' "limit: perceptron_limit" "$plimit"
    awk -v e="$pengine" -v l="$plimit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (target >= 0.5)", e / l}'
fi

# ---- OU (n = 2, steps of the exact transition) ----
OSRC=tests/bench/ou_limit.c
have_olimit=0
if [ -f "$OSRC" ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    mkdir -p build/bench
    for v in exact:-ffp-contract=off fma:-ffp-contract=fast; do
        bin=build/bench/ou_limit_${v%%:*}
        if [ ! -x "$bin" ] || [ "$OSRC" -nt "$bin" ]; then
            gcc -O3 -march=native ${v#*:} -Wno-psabi -o "$bin" "$OSRC" -lm || { echo "bench: cannot build $OSRC" >&2; exit 1; }
        fi
    done
    have_olimit=1
fi
srate() { sed -n 's/^steps_per_s \([0-9.e+-]*\).*/\1/p' | head -1; }
oengine=0 olimit=0 ofma=0
for r in $(seq "$RUNS"); do
    out=$(bin/thermolearn bench ou --coefficients)
    e=$(srate <<<"$out")
    oengine=$(max "$oengine" "$e")
    l= f=
    if [ $have_olimit = 1 ]; then
        coef=$(sed -n 's/^coefficients //p' <<<"$out")
        lout=$(build/bench/ou_limit_exact --coefficients "$coef") || { echo "$lout"; echo "bench: ou_limit's checks failed" >&2; exit 1; }
        if [ "$(grep '^checksum' <<<"$lout")" != "$(grep '^checksum' <<<"$out")" ]; then
            echo "bench: ou_limit's checksum differs from the engine's: $(grep '^checksum' <<<"$lout") vs $(grep '^checksum' <<<"$out")" >&2
            exit 1
        fi
        l=$(srate <<<"$lout")
        olimit=$(max "$olimit" "$l")
        f=$(build/bench/ou_limit_fma --coefficients "$coef" | srate)
        ofma=$(max "$ofma" "$f")
    fi
    echo "run $r: engine $e${l:+  limit $l  limit(fma) $f}"
done
echo
printf '%-44s %12s\n' "ou (n = 2, 1000 steps), best of $RUNS" "steps/s"
printf '%-44s %12.4e\n' "engine: thermolearn bench ou" "$oengine"
if [ $have_olimit = 1 ]; then
    echo "ou_limit: same checksum as the engine, to the bit"
    printf '%-44s %12.4e\n' "limit: ou_limit, fused multiply-adds" "$ofma"
    printf '%-44s %12.4e\n' "limit: ou_limit, the engine's arithmetic" "$olimit"
    awk -v e="$oengine" -v l="$ofma" -v x="$olimit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (fma) (target >= 0.5)", e / l
                                                    printf "%-44s %12.3f\n", "ratio engine / limit (no fma)", e / x}'
fi

# ---- spins (Gillespie jumps, 2N = 80) ----
SSRC=tests/bench/spins_limit.c
SLIMIT=build/bench/spins_limit
have_slimit=0
if [ -f "$SSRC" ] && grep -qw avx2 /proc/cpuinfo; then
    mkdir -p build/bench
    if [ ! -x "$SLIMIT" ] || [ "$SSRC" -nt "$SLIMIT" ]; then
        gcc -O3 -march=native -Wno-psabi -o "$SLIMIT" "$SSRC" -lm || { echo "bench: cannot build $SSRC" >&2; exit 1; }
    fi
    have_slimit=1
fi
jrate() { sed -n 's/^jumps_per_s \([0-9.e+-]*\).*/\1/p' | head -1; }
sengine=0 slimit=0 ssame=
for r in $(seq "$RUNS"); do
    out=$(bin/thermolearn bench spins --n 40 --traj 16)
    e=$(jrate <<<"$out")
    sengine=$(max "$sengine" "$e")
    l=
    if [ $have_slimit = 1 ]; then
        lout=$("$SLIMIT" --traj 16) || { echo "$lout"; echo "bench: spins_limit's checks failed" >&2; exit 1; }
        l=$(jrate <<<"$lout")
        slimit=$(max "$slimit" "$l")
        [ "$(grep '^jumps .* sigma' <<<"$lout")" = "$(grep '^jumps .* sigma' <<<"$out")" ] && ssame=yes ||
            ssame="no: $(grep '^jumps .* sigma' <<<"$out") against $(grep '^jumps .* sigma' <<<"$lout")"
    fi
    echo "run $r: engine $e${l:+  limit $l}"
done
echo
printf '%-44s %12s\n' "spins (2N = 80, Gillespie), best of $RUNS" "jumps/s"
printf '%-44s %12.4e\n' "engine: thermolearn bench spins --n 40" "$sengine"
if [ $have_slimit = 1 ]; then
    echo "spins_limit: the engine's trajectories (jumps and entropy totals equal): $ssame"
    printf '%-44s %12.4e\n' "limit: spins_limit" "$slimit"
    awk -v e="$sengine" -v l="$slimit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (target >= 0.5)", e / l}'
fi


# ---- Milburn's kernels across the batch (doublewell, weightsde, observed, twostate, clock, gate) ----
# `thermolearn bench doublewell` (8192 trajectories of 2000 MALA steps),
# `thermolearn bench weightsde` (2048 trajectories of 10000 steps),
# `thermolearn bench observed` (512 trajectories of 50000 steps) and
# `thermolearn bench twostate` (200000 trajectories, 110 thinning candidates
# each), in units of TL_BATCH, and `thermolearn bench clock` (128 escapement
# clocks of 39062 steps) and `thermolearn bench gate` (20000 NOT trajectories
# of 250 epochs at M = 200, Fig. 15), beside tests/bench/milburn_limit.c --model M
# at the same point, in steps (candidates, epochs) per second of CPU time, best of
# BENCH_RUNS, and their ratio.  The limit checks itself against its scalar reference (exit 1
# otherwise); for gate the engine's checksum must equal the limit's to 1e-9 (the same
# streams and decisions; the limit's fused multiply-adds round differently).
MSRC=tests/bench/milburn_limit.c
MLIMIT=build/bench/milburn_limit
srate() { sed -n 's/^\(cpu_\)\{0,1\}\(steps\|candidates\|epochs\)_per_s \([0-9.e+-]*\).*/\3/p' | tail -1; }
msum() { sed -n 's/.*checksum \([0-9.e+-]*\).*/\1/p' | head -1; }
have_mlimit=0
if [ -f "$MSRC" ] && grep -qw avx2 /proc/cpuinfo; then
    mkdir -p build/bench
    if [ ! -x "$MLIMIT" ] || [ "$MSRC" -nt "$MLIMIT" ]; then
        gcc -O3 -march=native -Wno-psabi -o "$MLIMIT" "$MSRC" -lm || { echo "bench: cannot build $MSRC" >&2; exit 1; }
    fi
    have_mlimit=1
fi
for model in doublewell weightsde observed twostate clock gate; do
    mengine=0 mlimit=0
    for r in $(seq "$RUNS"); do
        eout=$(bin/thermolearn bench $model) || { echo "bench: thermolearn bench $model failed:" >&2; echo "$eout" >&2; exit 1; }
        e=$(srate <<<"$eout")
        mengine=$(max "$mengine" "$e")
        l=
        if [ $have_mlimit = 1 ]; then
            out=$("$MLIMIT" --model $model) || { echo "bench: $MLIMIT --model $model disagrees with its scalar reference:" >&2; echo "$out" >&2; exit 1; }
            if [ $model = gate ] && ! awk -v a="$(msum <<<"$out")" -v b="$(msum <<<"$eout")" 'BEGIN {d = a - b; exit !(a != "" && (d < 0 ? -d : d) <= 1e-9 * (b < 0 ? -b : b))}'; then
                echo "bench: gate_limit's checksum differs from the engine's: $(msum <<<"$out") vs $(msum <<<"$eout")" >&2
                exit 1
            fi
            l=$(srate <<<"$out")
            mlimit=$(max "$mlimit" "$l")
        fi
        echo "run $r: engine $e${l:+  limit $l}"
    done
    echo
    unit=steps/s
    [ $model = twostate ] && unit=candidates/s
    [ $model = gate ] && unit=epochs/s
    printf '%-44s %12s\n' "$model (across the batch), best of $RUNS" "$unit"
    printf '%-44s %12.4e\n' "engine: thermolearn bench $model" "$mengine"
    if [ $have_mlimit = 1 ]; then
        printf '%-44s %12.4e\n' "limit: milburn_limit --model $model" "$mlimit"
        awk -v e="$mengine" -v l="$mlimit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (target >= 0.5)", e / l}'
    fi
done

# ---- weightsde's full loop of eq. 84 (feedback = filtered) ----
# `thermolearn bench weightsde --filtered` (2048 trajectories of 5000 steps:
# the switch, its record, the Bayes filter and the weight across the batch)
# interleaved with its scalar reference (`--scalar`, one trajectory at a time;
# the same checksum, else bench fails), in steps per second of CPU time, best
# of BENCH_RUNS, with the ratio to the calibration loop (the same stream calls)
# and the speed-up; beside it tests/bench/milburn_limit.c --model filtered,
# the limit kernel at the same point (its own checks: the filter's
# calibration, its scalar reference), and the ratio engine / limit.
fcpu() { sed -n 's/^cpu_steps_per_s \([0-9.e+-]*\).*/\1/p' | tail -1; }
fcal() { sed -n 's/^cpu_ratio_to_calibration \([0-9.e+-]*\).*/\1/p' | tail -1; }
fsum() { sed -n 's/^checksum \([0-9.e+-]*\).*/\1/p' | tail -1; }
fvec=0 fscalar=0 fratio= flimit=0
for r in $(seq "$RUNS"); do
    l=
    if [ $have_mlimit = 1 ]; then
        out=$("$MLIMIT" --model filtered) || { echo "bench: $MLIMIT --model filtered failed its checks:" >&2; echo "$out" >&2; exit 1; }
        l=$(srate <<<"$out")
        flimit=$(max "$flimit" "$l")
    fi
    vout=$(bin/thermolearn bench weightsde --filtered) sout=$(bin/thermolearn bench weightsde --filtered --scalar)
    if [ "$(fsum <<<"$vout")" != "$(fsum <<<"$sout")" ]; then
        echo "bench: weightsde --filtered: the lanes' checksum $(fsum <<<"$vout") differs from the scalar reference's $(fsum <<<"$sout")" >&2
        exit 1
    fi
    v=$(fcpu <<<"$vout") s=$(fcpu <<<"$sout")
    [ "$(max "$fvec" "$v")" = "$v" ] && fratio=$(fcal <<<"$vout")
    fvec=$(max "$fvec" "$v") fscalar=$(max "$fscalar" "$s")
    echo "run $r: across the batch $v  scalar $s${l:+  limit $l}"
done
echo
printf '%-44s %12s\n' "weightsde --filtered (eq. 84), best of $RUNS" "steps/s (CPU)"
printf '%-44s %12.4e\n' "engine: across the batch" "$fvec"
printf '%-44s %12.4e\n' "scalar reference (one trajectory at a time)" "$fscalar"
printf '%-44s %12s\n' "ratio to the calibration loop (best run)" "$fratio"
awk -v e="$fvec" -v s="$fscalar" 'BEGIN {printf "%-44s %12.2f\n", "speed-up", e / s}'
if [ $have_mlimit = 1 ]; then
    printf '%-44s %12.4e\n' "limit: milburn_limit --model filtered" "$flimit"
    awk -v e="$fvec" -v l="$flimit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (target >= 0.5)", e / l}'
fi

# ---- graded Hopfield network (MALA) ----
# `thermolearn bench hopfield --graded` (N = 15, M = 2, 100 steps of 10
# Langevin steps, 256 trajectories per direction) beside
# tests/bench/graded_limit.c at the same point, in neuron-steps (one Langevin
# step of one neuron) per second of wall time (the engine's bench measures
# wall time; the limit kernel prints both).  As for OU, the limit kernel is
# built twice: without contraction (the engine's arithmetic and streams: its
# checksum must equal the engine's to the bit, else bench fails) and with
# fused multiply-adds (the yardstick the ratio is taken against).  Both check
# themselves against their scalar reference and the exact dF and <E> at N = 2
# (exit 1 otherwise).
GSRC=tests/bench/graded_limit.c
have_glimit=0
if [ -f "$GSRC" ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    mkdir -p build/bench
    for v in exact:-ffp-contract=off fma:"-ffp-contract=fast -DCONTRACT"; do
        bin=build/bench/graded_limit_${v%%:*}
        if [ ! -x "$bin" ] || [ "$GSRC" -nt "$bin" ]; then
            gcc -O3 -march=native ${v#*:} -Wno-psabi -o "$bin" "$GSRC" -lm || { echo "bench: cannot build $GSRC" >&2; exit 1; }
        fi
    done
    have_glimit=1
fi
grate() { sed -n 's/.*wall_neuron_steps_per_s \([0-9.e+-]*\).*/\1/p' | head -1; }
gsum() { sed -n 's/^checksum \([0-9.e+-]*\).*/\1/p' | head -1; }
gengine=0 glimit=0 gfma=0
for r in $(seq "$RUNS"); do
    out=$(bin/thermolearn bench hopfield --graded)
    e=$(sed -n 's/.* neuron_steps_per_s \([0-9.e+-]*\).*/\1/p' <<<"$out")
    gengine=$(max "$gengine" "$e")
    l= f=
    if [ $have_glimit = 1 ]; then
        lout=$(build/bench/graded_limit_exact --patterns "$PATTERNS") || { echo "$lout"; echo "bench: graded_limit's checks failed" >&2; exit 1; }
        if [ "$(gsum <<<"$lout")" != "$(gsum <<<"$out")" ]; then
            echo "bench: graded_limit's checksum differs from the engine's: $(gsum <<<"$lout") vs $(gsum <<<"$out")" >&2
            exit 1
        fi
        l=$(grate <<<"$lout")
        glimit=$(max "$glimit" "$l")
        fout=$(build/bench/graded_limit_fma --patterns "$PATTERNS") || { echo "$fout"; echo "bench: graded_limit (fma)'s checks failed" >&2; exit 1; }
        f=$(grate <<<"$fout")
        gfma=$(max "$gfma" "$f")
    fi
    echo "run $r: engine $e${l:+  limit $l  limit(fma) $f}"
done
echo
printf '%-44s %12s\n' "graded hopfield (N=15, MALA), best of $RUNS" "steps/s"
printf '%-44s %12.4e\n' "engine: thermolearn bench hopfield --graded" "$gengine"
if [ $have_glimit = 1 ]; then
    echo "graded_limit: same checksum as the engine, to the bit"
    printf '%-44s %12.4e\n' "limit: graded_limit, fused multiply-adds" "$gfma"
    printf '%-44s %12.4e\n' "limit: graded_limit, the engine's arithmetic" "$glimit"
    awk -v e="$gengine" -v l="$gfma" -v x="$glimit" 'BEGIN {printf "%-44s %12.3f\n", "ratio engine / limit (fma) (target >= 0.5)", e / l
                                                    printf "%-44s %12.3f\n", "ratio engine / limit (no fma)", e / x}'
fi
