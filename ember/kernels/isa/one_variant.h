// One variant of a kernel body (isa/variants.h includes this once per instruction set). Expects
//   EMBER_ISA_BODY                the body's path
//   EMBER_ISA_VARIANT_NAMESPACE   the variant's namespace under ember::kernels (isa_avx2, ...)
//   EMBER_ISA_VARIANT_FLOATS      floats in one of its vector registers
//   EMBER_ISA_VARIANT_GCC_TARGET  its GCC target string, or leave undefined for the build's flags
//   EMBER_ISA_VARIANT_CLANG_TARGET  the same for clang (no tuning options)
// and undefines them again. No include guard: included once per variant.
#define EMBER_ISA_PRAGMA(text) _Pragma(#text)
#define EMBER_ISA_GCC_TARGET(features) EMBER_ISA_PRAGMA(GCC target(features))
#define EMBER_ISA_CLANG_TARGET(features) \
  EMBER_ISA_PRAGMA(clang attribute push(__attribute__((target(features))), apply_to = function))

#ifdef EMBER_ISA_VARIANT_GCC_TARGET
#if defined(__clang__)
EMBER_ISA_CLANG_TARGET(EMBER_ISA_VARIANT_CLANG_TARGET)
#else
#pragma GCC push_options
EMBER_ISA_GCC_TARGET(EMBER_ISA_VARIANT_GCC_TARGET)
#endif
#endif

namespace ember::kernels::EMBER_ISA_VARIANT_NAMESPACE {
namespace {
// Floats in one vector register of the variant (bodies size their register blocks by it).
[[maybe_unused]] constexpr int kIsaVectorFloats = EMBER_ISA_VARIANT_FLOATS;
#include EMBER_ISA_BODY
}  // namespace
}  // namespace ember::kernels::EMBER_ISA_VARIANT_NAMESPACE

#ifdef EMBER_ISA_VARIANT_GCC_TARGET
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

#undef EMBER_ISA_PRAGMA
#undef EMBER_ISA_GCC_TARGET
#undef EMBER_ISA_CLANG_TARGET
#undef EMBER_ISA_VARIANT_NAMESPACE
#undef EMBER_ISA_VARIANT_FLOATS
#undef EMBER_ISA_VARIANT_GCC_TARGET
#undef EMBER_ISA_VARIANT_CLANG_TARGET
