// The max-pooling forward's fast path, compiled once per instruction set (isa/variants.h; included
// by pool_kernels.cpp, which declares MaxPlan, Argmax and the rest of what is used here).
//
// GCC/Clang vector extensions: a vector of 16 floats is one AVX-512 register, two AVX2 ones or four
// SSE ones, whichever the variant is compiled for. Loads and stores go through memcpy (unaligned,
// alias-safe). Other compilers run the plain loops (same results).
#if defined(__GNUC__) || defined(__clang__)
typedef float f32x8 __attribute__((vector_size(32)));
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef float f32x16 __attribute__((vector_size(64)));
typedef int32_t i32x16 __attribute__((vector_size(64)));
template <typename V, typename T>
V load(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <typename V, typename T>
void store(T* p, const V& v) {
  std::memcpy(p, &v, sizeof(V));
}
#define EMBER_POOL_VECTOR 1
#endif

// One phase row: dst[c] = row[c * stride + off] for c in [c_lo, c_hi), reading only inside the
// input row. (Copying through a padded row buffer instead made every load wait on the stores just
// made, a store-forwarding stall that doubled the kernel's time.) The phase's fields arrive as
// values: the vector stores (memcpy) may alias anything, so fields read through a reference would
// be reloaded after every store.
template <int kStride>
void copy_phase_row(const float* __restrict row, int64_t off, float* __restrict dst, int64_t c_lo, int64_t c_hi,
                    [[maybe_unused]] int64_t forward, [[maybe_unused]] int64_t backward, int64_t stride) {
  if constexpr (kStride == 1) {
    std::memcpy(dst + c_lo, row + c_lo + off, static_cast<size_t>(c_hi - c_lo) * sizeof(float));
  } else {
    int64_t c = c_lo;
#ifdef EMBER_POOL_VECTOR
    if constexpr (kStride == 2) {  // de-interleave 8 columns at a time: the even lanes of 16
      const float* src = row + 2 * c + off;
      for (int64_t b = 0; b < forward; ++b, c += 8, src += 16) {
        store(dst + c, __builtin_shufflevector(load<f32x8>(src), load<f32x8>(src + 8), 0, 2, 4, 6, 8, 10, 12, 14));
      }
      for (int64_t b = 0; b < backward; ++b, c += 8, src += 16) {
        store(dst + c, __builtin_shufflevector(load<f32x8>(src - 1), load<f32x8>(src + 7), 1, 3, 5, 7, 9, 11, 13, 15));
      }
    }
#endif
    const int64_t s = kStride > 0 ? kStride : stride;
    for (; c < c_hi; ++c) dst[c] = row[c * s + off];
  }
}

// Copies one input plane into the phase planes; their padding (rows and columns outside the
// input) is -inf and never written.
template <int kStride>
void fill_phases(const float* in, float* q, const Pool2dGeometry& g, const MaxPlan& plan) {
  const int64_t row_step = g.stride_h * g.in_w, qw = plan.qw, stride = g.stride_w;
  for (const MaxPlan::Phase& p : plan.phases) {
    const float* row = in + (p.r_lo * g.stride_h + p.ph - g.pad_top) * g.in_w;
    float* dst = q + p.start + p.r_lo * qw;
    const int64_t off = p.pw - g.pad_left, rows = p.r_hi - p.r_lo;
    const int64_t c_lo = p.c_lo, c_hi = p.c_hi, forward = p.forward, backward = p.backward;
    for (int64_t r = 0; r < rows; ++r, row += row_step, dst += qw) {
      copy_phase_row<kStride>(row, off, dst, c_lo, c_hi, forward, backward, stride);
    }
  }
}

// Short-row moves for the output step, n >= 1: 8-lane vector moves, the last one overlapping the
// previous (rows are often just over a multiple of 8 long).
template <typename Dst>
void convert_row(Dst* __restrict dst, const int32_t* __restrict src, int64_t n) {
#ifdef EMBER_POOL_VECTOR
  if (n >= 8) {
    typedef Dst d8 __attribute__((vector_size(8 * sizeof(Dst))));
    for (int64_t i = 0;; i += 8) {
      const int64_t at = std::min(i, n - 8);
      store(dst + at, __builtin_convertvector(load<i32x8>(src + at), d8));
      if (at == n - 8) return;
    }
  }
#endif
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<Dst>(src[i]);
}

void copy_row(float* __restrict dst, const float* __restrict src, int64_t n) {
#ifdef EMBER_POOL_VECTOR
  if (n >= 8) {
    for (int64_t i = 0;; i += 8) {
      const int64_t at = std::min(i, n - 8);
      store(dst + at, load<f32x8>(src + at));
      if (at == n - 8) return;
    }
  }
#endif
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
}


// The sweep: for each block of kLanes outputs, all taps in the window's scan order, with the
// running maxima and their argmax (as the tap's offset from the window origin, or the tap number)
// held in registers. A later element replaces the maximum if it is greater or NaN (PyTorch's
// rule: ties keep the first maximum, the last NaN wins). Writes the maxima to m and the argmax
// (flat input position, or tap number) to a.
template <Argmax kMode>
void sweep_taps(const float* __restrict q, const MaxPlan& plan, float* __restrict m, int32_t* __restrict a) {
  constexpr bool kTrack = kMode != Argmax::none, kIndex = kMode == Argmax::index;
  const MaxPlan::Tap* taps = plan.taps.data();
  const size_t ntaps = plan.taps.size();
  const int32_t* init = kIndex ? plan.init_off.data() : plan.init_tap.data();
  const int32_t* origin = plan.origin.data();
  const int64_t lanes = plan.lanes;
  for (int64_t j = 0; j < lanes; j += kLanes) {
#ifdef EMBER_POOL_VECTOR
    static_assert(kLanes == 16);
    f32x16 mv = f32x16{} + kNegInf;
    i32x16 av = load<i32x16>(init + j);
    for (size_t k = 0; k < ntaps; ++k) {
      const f32x16 v = load<f32x16>(q + taps[k].base + j);
      const i32x16 take = (v > mv) | (v != v);
      mv = take ? v : mv;
      if constexpr (kTrack) av = take ? i32x16{} + (kIndex ? taps[k].off : static_cast<int32_t>(k)) : av;
    }
    store(m + j, mv);
    if constexpr (kIndex) av += load<i32x16>(origin + j);
    if constexpr (kTrack) store(a + j, av);
#else
    for (int64_t l = j; l < j + kLanes; ++l) {
      m[l] = kNegInf;
      a[l] = init[l];
    }
    for (size_t k = 0; k < ntaps; ++k) {
      const float* v = q + taps[k].base;
      const int32_t id = kIndex ? taps[k].off : static_cast<int32_t>(k);
      for (int64_t l = j; l < j + kLanes; ++l) {
        const bool take = v[l] > m[l] || v[l] != v[l];
        m[l] = take ? v[l] : m[l];
        if constexpr (kTrack) a[l] = take ? id : a[l];
      }
    }
    if constexpr (kIndex) {
      for (int64_t l = j; l < j + kLanes; ++l) a[l] += origin[l];
    }
#endif
  }
}

// One plane: phases, sweep, then the first OW lanes of each output row. `argmax` receives int64
// indices (Argmax::index) or uint8 tap numbers (Argmax::tap).
template <int kStride, Argmax kMode>
void max_pool_plane_fast(const float* in, float* out, void* argmax, const Pool2dGeometry& g, const MaxPlan& plan,
                         float* q, float* m, int32_t* a) {
  fill_phases<kStride>(in, q, g, plan);
  sweep_taps<kMode>(q, plan, m, a);
  for (int64_t oh = 0; oh < g.out_h; ++oh) {
    copy_row(out + oh * g.out_w, m + oh * plan.qw, g.out_w);
    if constexpr (kMode == Argmax::index) {
      convert_row(static_cast<int64_t*>(argmax) + oh * g.out_w, a + oh * plan.qw, g.out_w);
    } else if constexpr (kMode == Argmax::tap) {
      convert_row(static_cast<uint8_t*>(argmax) + oh * g.out_w, a + oh * plan.qw, g.out_w);
    }
  }
}

template <Argmax kMode>
void max_pool_planes_fast(const float* in, float* out, void* argmax, int64_t planes, const Pool2dGeometry& g) {
  const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  const int64_t argmax_size = kMode == Argmax::index ? sizeof(int64_t) : 1;
  const MaxPlan plan = max_plan(g, max_tables(g));
  parallel_for(0, planes, max_pool_grain(g), [&](int64_t begin, int64_t end) {
    // Scratch per chunk; the phase planes' padding is filled here once and never overwritten.
    std::vector<float> q(static_cast<size_t>(plan.scratch), kNegInf);
    std::vector<float> m(static_cast<size_t>(plan.lanes));
    std::vector<int32_t> a(static_cast<size_t>(plan.lanes));
    for (int64_t p = begin; p < end; ++p) {
      const float* src = in + p * in_plane;
      float* dst = out + p * out_plane;
      void* arg = argmax ? static_cast<char*>(argmax) + p * out_plane * argmax_size : nullptr;
      if (g.stride_w == 1) {
        max_pool_plane_fast<1, kMode>(src, dst, arg, g, plan, q.data(), m.data(), a.data());
      } else if (g.stride_w == 2) {
        max_pool_plane_fast<2, kMode>(src, dst, arg, g, plan, q.data(), m.data(), a.data());
      } else {
        max_pool_plane_fast<0, kMode>(src, dst, arg, g, plan, q.data(), m.data(), a.data());
      }
    }
  });
}

