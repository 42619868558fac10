// Batch normalization (+ ReLU) forward and backward over NCHW buffers, one channel per task,
// compiled once per instruction set (isa/variants.h; included by batch_norm_kernels.cpp).

// Channel-parallel loop: about kBatchNormGrain elements per task, at least one channel.
template <typename F>
void for_each_channel(int64_t c, int64_t m, F&& fn) {
  parallel_for(0, c, std::max<int64_t>(1, kBatchNormGrain / std::max<int64_t>(1, m)), [&](int64_t b, int64_t e) {
    for (int64_t ch = b; ch < e; ++ch) fn(ch);
  });
}

// sum of (x - mean)^2, in double, 8 lanes, fixed order.
double row_sum_sq_dev(const float* x, int64_t n, double mean) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) {
      const double v = static_cast<double>(x[i + k]) - mean;
      acc[k] += v * v;
    }
  }
  for (; i < n; ++i) {
    const double v = static_cast<double>(x[i]) - mean;
    acc[i & 7] += v * v;
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// sum of g * (x - mean), in double, 8 lanes, fixed order. (Kept apart from the sum of g: GCC
// vectorizes each loop alone but not the two accumulations fused.)
double row_sum_prod_dev(const float* g, const float* x, int64_t n, double mean) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += static_cast<double>(g[i + k]) * (static_cast<double>(x[i + k]) - mean);
  }
  for (; i < n; ++i) acc[i & 7] += static_cast<double>(g[i]) * (static_cast<double>(x[i]) - mean);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// out = (x - mean) * a + b over the channel's rows (then max(out, 0) when relu).
void apply_channel(const float* x, float* out, int64_t n, int64_t C, int64_t P, int64_t ch, float mean, float a,
                   float b, bool relu) {
  for (int64_t image = 0; image < n; ++image) {
    const float* __restrict xr = x + (image * C + ch) * P;
    float* __restrict o = out + (image * C + ch) * P;
    if (relu) {
      for (int64_t i = 0; i < P; ++i) o[i] = relu_value((xr[i] - mean) * a + b);
    } else {
      for (int64_t i = 0; i < P; ++i) o[i] = (xr[i] - mean) * a + b;
    }
  }
}

void batch_norm_forward_train(const float* x, float* out, const float* weight, const float* bias, int64_t n, int64_t C,
                              int64_t P, double eps, double* mean, double* var, float* invstd, bool relu) {
  const int64_t m = n * P;
  for_each_channel(C, m, [&](int64_t ch) {
    // Two passes over the channel (it is in cache for the second): the mean, then the squared
    // deviations from it, so a large mean costs no precision.
    double total = 0;
    for (int64_t image = 0; image < n; ++image) total += sum_contiguous(x + (image * C + ch) * P, P);
    const double mu = m > 0 ? total / static_cast<double>(m) : 0.0;
    double dev = 0;
    for (int64_t image = 0; image < n; ++image) dev += row_sum_sq_dev(x + (image * C + ch) * P, P, mu);
    const double v = m > 0 ? dev / static_cast<double>(m) : 0.0;
    const float is = static_cast<float>(1.0 / std::sqrt(v + eps));
    mean[ch] = mu;
    var[ch] = v;
    invstd[ch] = is;
    const float a = weight ? weight[ch] * is : is;
    apply_channel(x, out, n, C, P, ch, static_cast<float>(mu), a, bias ? bias[ch] : 0.0f, relu);
  });
}

void batch_norm_forward_apply(const float* x, float* out, const float* mean, const float* invstd, const float* weight,
                              const float* bias, int64_t n, int64_t C, int64_t P, bool relu) {
  for_each_channel(C, n * P, [&](int64_t ch) {
    const float a = weight ? weight[ch] * invstd[ch] : invstd[ch];
    apply_channel(x, out, n, C, P, ch, mean[ch], a, bias ? bias[ch] : 0.0f, relu);
  });
}

void batch_norm_backward(const float* g, const float* x, const float* mean, const float* invstd, const float* weight,
                         float* dx, float* dweight, float* dbias, int64_t n, int64_t C, int64_t P, bool training,
                         const float* relu_out) {
  const int64_t m = n * P;
  const bool need_sums = dweight || dbias || (dx && training);
  for_each_channel(C, m, [&](int64_t ch) {
    const float mu = mean[ch], is = invstd[ch];
    // The channel's gradient rows: g itself, or with a fused ReLU its masked copy in a per-thread
    // buffer (row `image` at image * P), built once and read by both passes below.
    auto g_row = [&](int64_t image) { return g + (image * C + ch) * P; };
    const float* masked = nullptr;
    if (relu_out) {
      float* buffer = thread_scratch(m);
      for (int64_t image = 0; image < n; ++image) {
        const int64_t at = (image * C + ch) * P;
        for (int64_t i = 0; i < P; ++i) buffer[image * P + i] = relu_grad(g[at + i], relu_out[at + i]);
      }
      masked = buffer;
    }
    auto grad_row = [&](int64_t image) { return masked ? masked + image * P : g_row(image); };
    double sum_g = 0, sum_gx = 0;  // sum g, sum g * (x - mean)
    if (need_sums) {
      for (int64_t image = 0; image < n; ++image) {
        const int64_t at = (image * C + ch) * P;
        sum_g += sum_contiguous(grad_row(image), P);
        sum_gx += row_sum_prod_dev(grad_row(image), x + at, P, mu);
      }
    }
    if (dbias) dbias[ch] = static_cast<float>(sum_g);
    if (dweight) dweight[ch] = static_cast<float>(sum_gx * is);
    if (!dx) return;
    const float k = weight ? weight[ch] * is : is;  // weight * invstd
    // training: dx = k * (g - sum_g / M - (x - mean) * invstd^2 * sum_gx / M)
    const float shift = training && m > 0 ? static_cast<float>(sum_g / static_cast<double>(m)) : 0.0f;
    const float slope = training && m > 0 ? static_cast<float>(sum_gx * is * is / static_cast<double>(m)) : 0.0f;
    for (int64_t image = 0; image < n; ++image) {
      const int64_t at = (image * C + ch) * P;
      const float* __restrict gr = grad_row(image);
      const float* __restrict xr = x + at;
      float* __restrict o = dx + at;
      if (training) {
        for (int64_t i = 0; i < P; ++i) o[i] = (gr[i] - shift - (xr[i] - mu) * slope) * k;
      } else {
        for (int64_t i = 0; i < P; ++i) o[i] = gr[i] * k;
      }
    }
  });
}

