// Time-Series-Library's Transformer: the classifier and the encoder–decoder forecaster
// (DESIGN.md §2), with the attention kind of every site taken from the config. Layer
// shapes (channels, length, classes) come from the data, never from the config.
#pragma once

#include <memory>
#include <vector>

#include "models/classifier.h"
#include "models/transformer_blocks.h"

namespace eaf {

struct TslClassifierSpec {
  int64_t length = 0, channels = 0, classes = 0;  // from the data
  int64_t d_model = 128, d_ff = 256, e_layers = 3;
  float dropout = 0.1f;
  AttentionOptions attention;
  bool mask_padding = false;  // TSL passes no mask to the encoder's attention
};

// enc = Encoder(DataEmbedding(x)); logits = Linear(flatten(mask ⊙ dropout(gelu(enc))))
class TslClassifier final : public SequenceClassifier {
 public:
  TslClassifier(const TslClassifierSpec& spec, Rng& rng);
  Var forward(Tape& t, Var x, Var mask, bool training, uint64_t dropout_key) override;
  void collect(ParameterList& out) override;
  const TslClassifierSpec& spec() const { return spec_; }

 private:
  TslClassifierSpec spec_;
  DataEmbedding embedding_;
  std::vector<std::unique_ptr<EncoderLayer>> layers_;
  LayerNorm norm_;
  Linear projection_;
};

struct TslForecasterSpec {
  int64_t enc_in = 0, dec_in = 0, c_out = 0, time_features = 0;  // from the data
  int64_t seq_len = 96, label_len = 48, pred_len = 96;
  int64_t d_model = 512, d_ff = 2048, e_layers = 2, d_layers = 1;
  float dropout = 0.1f;
  AttentionOptions encoder_attention, decoder_attention, cross_attention;
};

// y = Linear(Decoder(DataEmbedding(x_dec, marks_dec), Encoder(DataEmbedding(x_enc, marks_enc))))
// and the forecast is its last pred_len steps: [B, pred_len, c_out].
class TslForecaster final : public Layer {
 public:
  TslForecaster(const TslForecasterSpec& spec, Rng& rng);
  Var forward(Tape& t, Var x_enc, Var marks_enc, Var x_dec, Var marks_dec, bool training,
              uint64_t dropout_key);
  void collect(ParameterList& out) override;
  const TslForecasterSpec& spec() const { return spec_; }

 private:
  TslForecasterSpec spec_;
  DataEmbedding enc_embedding_, dec_embedding_;
  std::vector<std::unique_ptr<EncoderLayer>> encoder_;
  LayerNorm encoder_norm_;
  std::vector<std::unique_ptr<DecoderLayer>> decoder_;
  LayerNorm decoder_norm_;
  Linear projection_;
};

}  // namespace eaf
