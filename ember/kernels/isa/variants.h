// Compiles a kernel body once per instruction set (isa.h), each copy in its own namespace:
//   ember::kernels::isa_baseline   the build's flags
//   ember::kernels::isa_avx2       + AVX2, FMA              (only when the baseline lacks them)
//   ember::kernels::isa_avx512     + AVX-512 F/BW/DQ/VL      (only when the baseline lacks them)
// A kernel file defines EMBER_ISA_BODY as the path of its body ("...-inl.h") and includes this
// header after all of its own includes. The body includes nothing: everything it uses is declared
// before the target pragmas, so templates from other headers (std, ember/core) keep the build's
// flags and one definition everywhere, and only the body's own functions, lambdas included, are
// compiled for the wider instruction set (GCC's "#pragma GCC target"; clang's attribute pragma).
// The body's functions have internal linkage (an unnamed namespace in each), so two kernel files
// may use the same helper names (isa/one_variant.h compiles one variant). EMBER_ISA_CALL(f) then
// names the variant of f for the ISA in use (isa.h: active_isa()).
//
// No include guard: a file may compile one body, and includes this once.
#include <type_traits>

#include "ember/kernels/isa/config.h"
#include "ember/kernels/isa/isa.h"

#ifndef EMBER_ISA_BODY
#error "define EMBER_ISA_BODY as the kernel body to compile per instruction set before including isa/variants.h"
#endif

// Vector-extension values passed between the body's internal helpers: GCC notes that their ABI
// differs between instruction sets, which cannot matter for functions of internal linkage.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

#define EMBER_ISA_VARIANT_NAMESPACE isa_baseline
#if defined(__AVX512F__)
#define EMBER_ISA_VARIANT_FLOATS 16
#elif defined(__AVX__)
#define EMBER_ISA_VARIANT_FLOATS 8
#else
#define EMBER_ISA_VARIANT_FLOATS 4
#endif
#include "ember/kernels/isa/one_variant.h"

#if EMBER_ISA_HAS_AVX2
#define EMBER_ISA_VARIANT_NAMESPACE isa_avx2
#define EMBER_ISA_VARIANT_FLOATS 8
#define EMBER_ISA_VARIANT_GCC_TARGET "avx2,fma,bmi,bmi2,f16c,lzcnt,movbe,popcnt"
#define EMBER_ISA_VARIANT_CLANG_TARGET "avx2,fma,bmi,bmi2,f16c,lzcnt,movbe,popcnt"
#include "ember/kernels/isa/one_variant.h"
#endif

#if EMBER_ISA_HAS_AVX512
// 512-bit vectors also where GCC's tuning for the build machine would prefer 256: the kernels are
// long unit-stride loops, and Zen 4 runs 512-bit operations at least as fast as two 256-bit ones.
#define EMBER_ISA_VARIANT_NAMESPACE isa_avx512
#define EMBER_ISA_VARIANT_FLOATS 16
#define EMBER_ISA_VARIANT_GCC_TARGET \
  "avx2,fma,bmi,bmi2,f16c,lzcnt,movbe,popcnt,avx512f,avx512bw,avx512dq,avx512vl,avx512cd,prefer-vector-width=512"
#define EMBER_ISA_VARIANT_CLANG_TARGET \
  "avx2,fma,bmi,bmi2,f16c,lzcnt,movbe,popcnt,avx512f,avx512bw,avx512dq,avx512vl,avx512cd"
#include "ember/kernels/isa/one_variant.h"
#endif

#pragma GCC diagnostic pop

#ifndef EMBER_ISA_CALL
#if EMBER_ISA_HAS_AVX2
#define EMBER_ISA_AVX2_VARIANT(...) &::ember::kernels::isa_avx2::__VA_ARGS__
#else
#define EMBER_ISA_AVX2_VARIANT(...) nullptr
#endif
#if EMBER_ISA_HAS_AVX512
#define EMBER_ISA_AVX512_VARIANT(...) &::ember::kernels::isa_avx512::__VA_ARGS__
#else
#define EMBER_ISA_AVX512_VARIANT(...) nullptr
#endif
// The variant of function f (a name inside the body, template arguments allowed) for active_isa().
#define EMBER_ISA_CALL(...)                                                                  \
  (::ember::kernels::isa_detail::pick(&::ember::kernels::isa_baseline::__VA_ARGS__,          \
                                      EMBER_ISA_AVX2_VARIANT(__VA_ARGS__), EMBER_ISA_AVX512_VARIANT(__VA_ARGS__)))
namespace ember::kernels::isa_detail {
// The variant for the active ISA (a variant left out because the baseline has its ISA falls back
// to the best one below it: the baseline).
template <typename F>
F* pick(F* baseline, [[maybe_unused]] std::type_identity_t<F*> avx2, [[maybe_unused]] std::type_identity_t<F*> avx512) {
  switch (active_isa()) {
    case Isa::avx512:
      if (avx512) return avx512;
      [[fallthrough]];
    case Isa::avx2:
      if (avx2) return avx2;
      [[fallthrough]];
    case Isa::baseline:
      break;
  }
  return baseline;
}
}  // namespace ember::kernels::isa_detail
#endif
