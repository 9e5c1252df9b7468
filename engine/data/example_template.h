// How a training example becomes tokens: the prompt/completion layout and the chat template,
// with a mask that says which tokens are completion tokens (loss weight 1) and which are prompt
// tokens (loss weight prompt_loss_weight).
//
// Prompt/completion:
//   [BOS] encode(prompt)                      prompt tokens
//   encode(completion) [EOS]                  completion tokens
//
// Chat, for each message in order, after one [BOS]:
//   encode("<role>:")                         prompt tokens (role is system, user or assistant)
//   encode(content)                           completion tokens for an assistant message with
//                                             weight 1 (or no weight), prompt tokens otherwise
//   [EOS]                                     after assistant content only, weighted like it
//
// Each part is encoded on its own, so the mask boundaries fall exactly between parts, and
// sentencepiece's dummy prefix puts a space before each part: a conversation decodes as
// "system: Be brief. user: Hi assistant: Hello". The EOS after each assistant reply is what
// teaches the model to stop. To generate a reply, render the conversation the same way and
// append encode("assistant:"); for a prompt/completion model, [BOS] encode(prompt).
// BOS and EOS come from the tokenizer and are left out when it has none.
//
// With the model's own chat template (chat_format.h), a chat is rendered by it instead, encoded
// as one text, and the assistant's turns (their text and end-of-turn marker) are completion.
#pragma once

#include "engine/templates/chat_template.h"
#include "engine/tokenizer/tokenizer.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ft {

struct TokenizedExample {
  std::vector<int64_t> tokens;
  // One per token: 1 for a completion token (loss weight 1), 0 for a prompt token (loss weight
  // prompt_loss_weight).
  std::vector<uint8_t> completion;
  int64_t line = 0;  // the example's line in its JSON Lines file
};

enum class ChatRole { system, user, assistant };

// The role as it is spelled in the data and in the template's role marker.
const char* chat_role_name(ChatRole role);

struct ChatMessage {
  ChatRole role = ChatRole::user;
  std::string content;
  bool completion = false;  // an assistant message with weight 1: its tokens are learned
};

struct PromptCompletion {
  std::string prompt;
  std::string completion;
};

using ExampleText = std::variant<PromptCompletion, std::vector<ChatMessage>>;

// `chat`: the model's own template for chat examples, or nullptr for the generic one.
TokenizedExample render_example(const Tokenizer& tokenizer, const ExampleText& example,
                                const ChatTemplate* chat = nullptr);

}  // namespace ft
