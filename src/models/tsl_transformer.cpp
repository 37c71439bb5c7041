#include "models/tsl_transformer.h"

#include <string>

#include "ops/activation.h"
#include "ops/elementwise.h"
#include "ops/reduce.h"
#include "ops/slice.h"

namespace eaf {

TslClassifier::TslClassifier(const TslClassifierSpec& s, Rng& rng)
    : spec_(s),
      embedding_("enc_embedding", s.channels, s.d_model, 0, rng),
      norm_("encoder.norm", s.d_model),
      projection_("projection", s.d_model * s.length, s.classes, rng) {
  for (int64_t i = 0; i < s.e_layers; ++i)
    layers_.push_back(std::make_unique<EncoderLayer>("encoder.attn_layers." + std::to_string(i),
                                                     s.attention,
                                                     BlockSpec{s.d_model, s.d_ff, s.dropout}, rng));
}

Var TslClassifier::forward(Tape& t, Var x, Var mask, bool training, uint64_t dropout_key) {
  DropoutKeys dk(dropout_key);
  Var h = embedding_.forward(t, x, Var{}, training, spec_.dropout, dk);
  const Var attn_mask = spec_.mask_padding ? mask : Var{};
  for (auto& layer : layers_) h = layer->forward(t, h, attn_mask, training, dk);
  h = norm_(t, h);
  h = dropout_site(t, gelu(t, h), spec_.dropout, training, dk);
  h = mask_rows(t, h, mask);
  return projection_(t, flatten(t, h, 1));
}

void TslClassifier::collect(ParameterList& out) {
  embedding_.collect(out);
  for (auto& l : layers_) l->collect(out);
  norm_.collect(out);
  projection_.collect(out);
}

TslForecaster::TslForecaster(const TslForecasterSpec& s, Rng& rng)
    : spec_(s),
      enc_embedding_("enc_embedding", s.enc_in, s.d_model, s.time_features, rng),
      dec_embedding_("dec_embedding", s.dec_in, s.d_model, s.time_features, rng),
      encoder_norm_("encoder.norm", s.d_model),
      decoder_norm_("decoder.norm", s.d_model),
      projection_("decoder.projection", s.d_model, s.c_out, rng) {
  const BlockSpec block{s.d_model, s.d_ff, s.dropout};
  for (int64_t i = 0; i < s.e_layers; ++i)
    encoder_.push_back(std::make_unique<EncoderLayer>("encoder.attn_layers." + std::to_string(i),
                                                      s.encoder_attention, block, rng));
  for (int64_t i = 0; i < s.d_layers; ++i)
    decoder_.push_back(std::make_unique<DecoderLayer>(
        "decoder.layers." + std::to_string(i), s.decoder_attention, s.cross_attention, block, rng));
}

Var TslForecaster::forward(Tape& t, Var x_enc, Var marks_enc, Var x_dec, Var marks_dec,
                           bool training, uint64_t dropout_key) {
  DropoutKeys dk(dropout_key);
  Var enc = enc_embedding_.forward(t, x_enc, marks_enc, training, spec_.dropout, dk);
  for (auto& layer : encoder_) enc = layer->forward(t, enc, Var{}, training, dk);
  enc = encoder_norm_(t, enc);
  Var dec = dec_embedding_.forward(t, x_dec, marks_dec, training, spec_.dropout, dk);
  for (auto& layer : decoder_) dec = layer->forward(t, dec, enc, training, dk);
  dec = projection_(t, decoder_norm_(t, dec));
  return slice(t, dec, 1, spec_.label_len, spec_.pred_len);
}

void TslForecaster::collect(ParameterList& out) {
  enc_embedding_.collect(out);
  dec_embedding_.collect(out);
  for (auto& l : encoder_) l->collect(out);
  encoder_norm_.collect(out);
  for (auto& l : decoder_) l->collect(out);
  decoder_norm_.collect(out);
  projection_.collect(out);
}

}  // namespace eaf
