#!/usr/bin/env bash
# vec_check.sh: fails when a hot loop of a kernel is compiled to scalar code.
#
# Not a timed test: it compiles the kernel files with each compiler (gcc and
# clang through mpicc, those present) for each target (-march=native and the
# portable -march=x86-64-v3), disassembles the hot functions named below and
# checks the generated code itself:
#   float  FUNC  the function holds packed single-precision arithmetic
#                (addps/mulps/divps/cmpps/... on xmm, ymm or zmm) and no scalar
#                single-precision arithmetic or compare (addss, divss, comiss,
#                ...): a loop that went scalar, or a select compiled to a branch
#                on a scalar compare, has those;
#   double FUNC  the same for double precision (addpd/mulpd/... packed, no
#                addsd/mulsd/divsd/sqrtsd/comisd/...): the perceptron's loops
#                over trajectories and the Box-Muller Gaussians, the Milburn
#                SDE steps across the batch (doublewell's and weightsde's
#                Metropolis-adjusted steps, observed's filters, weightsde's
#                filtered loop (switch, Bayes filter, weight), twostate's
#                thinning candidates: accept, crossing, clamp and jump
#                blends, e^x and ln x packed; gate's NOT and XOR epochs with
#                their masked binomial inversions), the OU model's step of
#                all lanes (every n: the inlined n = 1..4 copies and the
#                general one), and the graded Hopfield network's MALA step
#                and evaluation (sigmoid, softplus, energy, drift, accept);
#   philox FUNC  the function holds vpmuludq (Philox's 32x32->64 multiplies
#                across lanes), on targets with AVX2;
#   tables FUNC  as float, and on targets with AVX2 the function also holds
#                a lane permute, vpermps or vpermd (the Hopfield heat-bath's table lookups in registers:
#                without them it would take the exp polynomial for every update).
# It first checks itself on a fixture (a loop the vectoriser cannot touch and a
# vector one), so a check that passes everything fails here.  It compiles with
# its own flags into build/vec-check/, not with the build's: SANITIZE=1 does
# not change what it inspects.  Exit 0 when every check passes; prints
# "N passed, M failed" for tests/run_all.sh.
set -u
cd "$(dirname "$0")/../.."
OUT=build/vec-check
mkdir -p "$OUT"
INC="-std=c17 -D_POSIX_C_SOURCE=200809L -Iinclude $(pkg-config --cflags hdf5-openmpi gsl inih 2>/dev/null)"
KERNEL_FLAGS=${KERNEL_FLAGS:--O3 -g0}
MPICC=${MPICC:-mpicc}
TARGETS=${VEC_CHECK_TARGETS:-native x86-64-v3}
COMPILERS=${VEC_CHECK_COMPILERS:-gcc clang}

# file:kind:function ... (VEC_CHECK_HOT replaces the list)
HOT=${VEC_CHECK_HOT:-"
src/models/hopfield/kernel.c:tables:update_heat_bath_m2
src/models/hopfield/kernel.c:float:update_general
src/engine/stream.c:philox:tl_stream_uniforms
src/engine/stream.c:philox:tl_stream_words
src/engine/stream.c:double:tl_stream_gaussians
src/models/perceptron/kernel.c:double:tile_piece
src/models/perceptron/kernel.c:double:tile_energy
src/models/milburn/doublewell.c:double:dw_lanes_step
src/models/milburn/weightsde.c:double:ws_lanes_step
src/models/milburn/weightsde.c:double:wf_lanes_step
src/models/milburn/observed.c:double:ob_lanes_step
src/models/milburn/twostate.c:double:ts_lanes_candidate
src/models/milburn/clock.c:double:ck_lanes_step
src/models/milburn/clock.c:double:ck_phase_lanes_step
src/models/milburn/clock.c:double:ck_lif_lanes_step
src/models/milburn/clock.c:double:ck_net_lanes_step
src/models/milburn/clock.c:double:ck_square_lanes_step
src/models/milburn/gate.c:double:not_lanes_epoch
src/models/milburn/gate.c:double:xor_lanes_epoch
src/models/ou/simulate.c:double:ou_lanes_step
src/models/hopfield/graded.c:double:gr_lanes_step
src/models/hopfield/graded.c:double:gr_lanes_eval
"}
PACKED='\b(v?(add|sub|mul|div|min|max|and|or|xor|blendv?)ps|v?cmp[a-z]*ps|vfn?m(add|sub)[0-9]+ps|vpermps|v?cvtdq2ps|v?cvttps2dq)\b'
SCALAR='\b(v?(add|sub|mul|div|min|max)ss|v?u?comiss|v?cmp[a-z]*ss|vfn?m(add|sub)[0-9]+ss)\b'
PACKED_D='\b(v?(add|sub|mul|div|min|max|sqrt|and|or|xor|blendv?)pd|v?cmp[a-z]*pd|vfn?m(add|sub)[0-9]+pd)\b'
SCALAR_D='\b(v?(add|sub|mul|div|min|max|sqrt)sd|v?u?comisd|v?cmp[a-z]*sd|vfn?m(add|sub)[0-9]+sd)\b'

passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# The instructions of one function in an object file.
# (gcc may emit it as a clone, FUNC.constprop.0 or FUNC.isra.0: the first one counts)
body() { objdump -d --no-show-raw-insn "$1" | awk -v f="$2" '$2 ~ ("^<" f "([.][a-z]+[.][0-9]+)*>:$") {on = 1; next} on && /^$/ {exit} on'; }

# check OBJ KIND FUNC LABEL
check() {
    local code np ns nm
    code=$(body "$1" "$3")
    if [ -z "$code" ]; then bad "$4: no function $3 in the object"; return; fi
    np=$(grep -Ec "$PACKED" <<<"$code")
    ns=$(grep -Ec "$SCALAR" <<<"$code")
    nm=$(grep -Ec '\bvpmuludq\b' <<<"$code")
    nt=$(grep -Ec '\bvperm(ps|d|[it]2ps|[it]2d)\b' <<<"$code")
    if [ "$2" = double ]; then np=$(grep -Ec "$PACKED_D" <<<"$code") ns=$(grep -Ec "$SCALAR_D" <<<"$code"); fi
    case $2 in
    float)
        if [ "$np" -gt 0 ] && [ "$ns" = 0 ]; then ok "$4: $3 packed ($np packed float instructions, no scalar)"
        else bad "$4: $3 has $np packed and $ns scalar float instructions:"; grep -E "$SCALAR" <<<"$code" | head -5; fi ;;
    double)
        if [ "$np" -gt 0 ] && [ "$ns" = 0 ]; then ok "$4: $3 packed ($np packed double instructions, no scalar)"
        else bad "$4: $3 has $np packed and $ns scalar double instructions:"; grep -E "$SCALAR_D" <<<"$code" | head -5; fi ;;
    tables)
        if [ "$np" -gt 0 ] && [ "$ns" = 0 ] && { [ "$nt" -gt 0 ] || [ "${5:-1}" = 0 ]; }; then
            ok "$4: $3 packed ($np packed float instructions, no scalar; $nt vpermps/vpermd)"
        else bad "$4: $3 has $np packed and $ns scalar float instructions, $nt vpermps/vpermd (table lookups):"; grep -E "$SCALAR" <<<"$code" | head -5; fi ;;
    philox)
        if [ "$nm" -gt 0 ]; then ok "$4: $3 runs Philox on vectors ($nm vpmuludq)"
        else bad "$4: $3 has no vpmuludq: Philox is scalar"; fi ;;
    esac
}

# Self-test: the check must reject a scalar loop and accept a vector one.
cat > "$OUT/fixture.c" <<'C'
typedef float v8 __attribute__((vector_size(32)));
void scalar_loop(float *a, const float *b, const float *u, int n)
{
    for (int i = 0; i < n; i++) a[i] = u[i] < 1.0f / (1.0f + b[i]) ? 1.0f : -1.0f;
}
void vector_loop(v8 *a, const v8 *b, int n)
{
    for (int i = 0; i < n; i++) a[i] = 1.0f / (1.0f + b[i]);
}
typedef double v4 __attribute__((vector_size(32)));
void scalar_loop_d(double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++) a[i] = 1.0 / (1.0 + b[i]);
}
void vector_loop_d(v4 *a, const v4 *b, int n)
{
    for (int i = 0; i < n; i++) a[i] = 1.0 / (1.0 + b[i]);
}
C
if gcc -O2 -fno-tree-vectorize -march=x86-64-v3 -c "$OUT/fixture.c" -o "$OUT/fixture.o"; then
    res=$( (check "$OUT/fixture.o" float scalar_loop fixture; check "$OUT/fixture.o" float vector_loop fixture
            check "$OUT/fixture.o" double scalar_loop_d fixture; check "$OUT/fixture.o" double vector_loop_d fixture) )
    echo "$res" | sed 's/^/  self-test: /'
    if grep -q "^FAIL fixture: scalar_loop " <<<"$res" && grep -q "^ok   fixture: vector_loop " <<<"$res" &&
        grep -q "^FAIL fixture: scalar_loop_d " <<<"$res" && grep -q "^ok   fixture: vector_loop_d " <<<"$res"; then
        ok "self-test: a scalar loop is rejected, a vector one accepted"
    else bad "self-test: the check does not tell a scalar loop from a vector one"; fi
else bad "self-test: cannot compile the fixture"; fi

for cc in $COMPILERS; do
    if ! command -v "$cc" >/dev/null; then echo "skip $cc: not installed"; continue; fi
    echo 'int main(void) { return 0; }' > "$OUT/trivial.c"
    if ! OMPI_CC=$cc $MPICC -c "$OUT/trivial.c" -o "$OUT/trivial.o" 2>/dev/null; then
        echo "skip $cc: $MPICC cannot compile with it (OMPI_CC=$cc)"; continue
    fi
    for t in $TARGETS; do
        tag=$cc-$t
        avx2=$(OMPI_CC=$cc $MPICC -march="$t" -dM -E - </dev/null 2>/dev/null | grep -c '__AVX2__')
        for src in $(echo "$HOT" | cut -d: -f1 | sort -u); do
            obj=$OUT/$tag/$(echo "$src" | tr / _).o
            mkdir -p "$OUT/$tag"
            if ! OMPI_CC=$cc $MPICC $INC $KERNEL_FLAGS -march="$t" -c "$src" -o "$obj"; then bad "$tag: $src does not compile"; continue; fi
            for h in $(echo "$HOT" | grep "^$src:"); do
                kind=$(cut -d: -f2 <<<"$h") fn=$(cut -d: -f3 <<<"$h")
                if [ "$kind" = philox ] && [ "$avx2" = 0 ]; then echo "skip $tag: $fn (target without AVX2: the scalar Philox is expected)"; continue; fi
                check "$obj" "$kind" "$fn" "$tag" "$avx2"
            done
        done
    done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
