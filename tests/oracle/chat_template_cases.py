"""transformers' chat-template rendering as the live oracle for the engine's Jinja interpreter.

usage: chat_template_cases.py --list
       chat_template_cases.py OUT_DIR [CASE ...]

Each case is a template: one per construct the interpreter supports (written for these tests),
and ChatML (Qwen 2.5), Llama 3 and 3.1, Mistral and Gemma style chat formats. Every template is
rendered on several conversations (with and without a system message, multi-turn, non-ASCII,
whitespace at the edges of the content), with and without add_generation_prompt, by
transformers' own render_jinja_template (what apply_chat_template(tokenize=False) runs: jinja2's
sandbox with trim_blocks and lstrip_blocks, transformers' tojson and raise_exception, tools and
documents as None). Writes OUT_DIR/<case>.jsonl, one render per line:
  {"template": ..., "messages": [...], "add_generation_prompt": bool, "bos_token": ..., "eos_token": ...,
   "tools": null or [...], "expected": the rendered text}
or, where the template raises (raise_exception, e.g. a Mistral template given a system message),
"error": the exception's message instead of "expected". Chat formats rendered without the
generation prompt also carry "assistant_spans": the byte spans [begin, end) of each assistant
turn, found from transformers' renders of the conversation's prefixes (see assistant_spans), or
null where the template does not render the conversation as a growing prefix (the engine must then
refuse to train on it). build/tools/chat-template-parity reads it.
"""
import json
import os
import sys

from transformers.utils.chat_template_utils import render_jinja_template

import case_script

BOS, EOS = "<s>", "</s>"

CONVERSATIONS = {
    "user-only": [{"role": "user", "content": "Hi"}],
    "system-first": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Name a color"},
    ],
    "multi-turn": [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi there!"},
        {"role": "user", "content": "  What's 2+2?  \n"},
        {"role": "assistant", "content": "4"},
    ],
    "unicode": [
        {"role": "system", "content": "Tu es un assistant. 🙂 \"quoted\" \\ back"},
        {"role": "user", "content": "Ça va ?\nLigne 2\t{{ not a tag }} {% neither %}"},
        {"role": "assistant", "content": "Oui — très bien. 中文 👩‍💻"},
    ],
}

TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city, in °C.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                   "required": ["city"]}}}]

# Templates written for the tests, one per construct; each reads the conversation so that its
# output differs between conversations.
CONSTRUCTS = {
    "output-and-text": "Conversation of {{ messages | length }} messages:\n{{ messages[0].content }}\nend",
    "comment": "{# a comment {{ 1 }} #}A{# another\n over lines #}\nB{{ messages[0].role }}",
    "if-elif-else": "{% for m in messages %}{% if m.role == 'system' %}S{% elif m.role == 'user' %}U"
                    "{% else %}A{% endif %}{% endfor %}",
    "for-loop-variables": "{% for m in messages %}{{ loop.index }}/{{ loop.length }} {{ loop.index0 }} "
                          "{{ loop.first }} {{ loop.last }} {{ loop.revindex }}|{% endfor %}",
    "for-previtem-nextitem": "{% for m in messages %}{{ loop.previtem.role if loop.previtem is defined else '-' }}>"
                             "{{ m.role }}>{{ loop.nextitem.role if loop.nextitem is defined else '-' }};{% endfor %}",
    "for-else-and-filter": "{% for m in messages if m.role == 'assistant' %}[{{ loop.index }}:{{ m.content }}]"
                           "{% else %}no assistant{% endfor %}",
    "for-break-continue": "{% for m in messages %}{% if m.role == 'system' %}{% continue %}{% endif %}"
                          "{{ m.content }};{% if m.role == 'assistant' %}{% break %}{% endif %}{% endfor %}",
    "set-and-scope": "{% set n = 0 %}{% for m in messages %}{% set n = n + 1 %}{{ n }}{% endfor %}:{{ n }}"
                     "{% set first, second = ['a', 'b'] %}{{ second }}{{ first }}",
    "set-namespace": "{% set ns = namespace(count=0, last='') %}{% for m in messages %}{% if m.role == 'user' %}"
                     "{% set ns.count = ns.count + 1 %}{% set ns.last = m.content %}{% endif %}{% endfor %}"
                     "{{ ns.count }} users, last: {{ ns.last }}",
    "set-block": "{% set header %}<{{ messages | length }}>{% endset %}{{ header }}{{ header | length }}",
    "macro": "{% macro turn(role, text, end='<end>') %}{{ role | upper }}: {{ text }}{{ end }}{% endmacro %}"
             "{% for m in messages %}{{ turn(m.role, m.content) }}{{ turn(m.role, '', end='.') }}{% endfor %}",
    "raise-exception": "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('System role not "
                       "supported, found: ' + m.content) }}{% endif %}{{ m.content }}{% endfor %}",
    "tests": "{% for v in [messages, messages[0], messages[0].content, 1, 1.5, true, none, undefined_name] %}"
             "{{ v is defined }}{{ v is none }}{{ v is string }}{{ v is mapping }}{{ v is iterable }}"
             "{{ v is number }}{{ v is true }}{{ v is false }}{{ v is not string }}|{% endfor %}"
             "{{ tools is defined }}{{ tools is none }}{{ 4 is even }}{{ 3 is odd }}{{ 9 is divisibleby 3 }}",
    "operators-logic": "{% for m in messages %}{{ m.role == 'user' and not m.content == '' }}"
                       "{{ m.role != 'user' or m.content }}{{ m.role in ['user', 'system'] }}"
                       "{{ m.role not in 'assistant' }}{{ 'x' if m.role == 'user' else 'y' }}|{% endfor %}",
    "operators-arithmetic": "{{ messages | length + 1 }} {{ 7 - messages | length }} {{ 3 * 4 }} {{ 7 / 2 }} "
                            "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 8 }} {{ 1.5 + 1 }} "
                            "{{ 'ab' ~ 1 ~ none }} {{ 'ab' * 2 }} {{ 1 < 2 }} {{ 'b' >= 'a' }} {{ 2 <= 1 }} "
                            "{{ 0.1 + 0.2 }} {{ 1e20 * 10 }} {{ 1 / 3 }} {{ 10 ** -2 }} {{ 1 < 2 < 3 }}",
    "subscripts-and-slices": "{{ messages[0]['role'] }} {{ messages[-1].content }} "
                             "{% for m in messages[1:] %}{{ m.role }},{% endfor %} "
                             "{% for m in messages[::-1] %}{{ m.role[0] }}{% endfor %} "
                             "{{ messages[0].content[:3] }} {{ messages[0].content[::-1] }} "
                             "{{ messages[0].content[1:-1:2] }}[{{ messages[9] }}][{{ messages[0].missing }}]",
    "literals-and-repr": "{{ [1, 'a', none, true, 1.5, (1,), {'k': messages[0].role}] }} {{ messages[0] }} "
                         "{{ {'q': \"it's\", 'n': 'a\\nb'} }} {{ 1e-7 }} {{ 123456789012345678 }}",
    "filters-text": "{% for m in messages %}[{{ m.content | trim }}][{{ m.content | upper }}][{{ m.content | lower }}]"
                    "[{{ m.content | title }}][{{ m.content | capitalize }}][{{ m.content | replace('a', '@') }}]"
                    "[{{ m.content | length }}][{{ m.role | string }}]{% endfor %}",
    "filters-tojson": "{{ messages | tojson }}\n{{ messages[0] | tojson(indent=2) }}\n{{ tools | tojson }}\n"
                      "{{ {'b': [1, 2.5, none, true], 'a': 'é'} | tojson(indent=4) }}\n"
                      "{{ messages[-1].content | tojson(ensure_ascii=true) }}\n"
                      "{{ {'z': 1, 'a': {}} | tojson(sort_keys=true, separators=(',', ':')) }}",
    "filters-default": "{{ undefined_name | default('dflt') }} {{ undefined_name | d('d2') }} "
                       "{{ messages[0].name | default(messages[0].role) }} [{{ '' | default('x') }}] "
                       "{{ '' | default('x', true) }} {{ none | default('n') }}",
    "filters-sequences": "{{ (messages | first).role }} {{ (messages | last).role }} {{ messages | length }} "
                         "{{ messages | map(attribute='role') | join(', ') }} "
                         "{{ messages | selectattr('role', 'equalto', 'user') | list | length }} "
                         "{{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='content') | list }} "
                         "{{ messages | map(attribute='role') | unique | list }} "
                         "{{ messages[0].content | list | first }} {{ 'ab' | list }} {{ [3, 1, 2] | reverse | list }}",
    "filters-numbers-and-items": "{{ '42' | int + 1 }} {{ '4.7' | int }} {{ 'x' | int }} {{ 3.9 | int }} "
                                 "{{ '2.5' | float }} {{ -3 | abs }} "
                                 "{% for k, v in messages[0] | items %}{{ k }}={{ v }};{% endfor %}",
    "string-methods": "{% for m in messages %}[{{ m.content.strip() }}][{{ m.content.lstrip() }}]"
                      "[{{ m.content.rstrip() }}][{{ m.content.startswith('H') }}][{{ m.content.endswith(('!', '?')) }}]"
                      "[{{ m.content.split() }}][{{ m.content.split(' ', 1) }}][{{ m.content.upper() }}]"
                      "[{{ m.content.lower() }}][{{ m.content.replace(' ', '_') }}][{{ m.content.title() }}]"
                      "[{{ m.content.strip('H!') }}]{% endfor %}",
    "dict-methods": "{% for m in messages %}{% for k, v in m.items() %}{{ k }}:{{ v }},{% endfor %}"
                    "{{ m.keys() | list }}{{ m.values() | list | length }}{{ m.get('role') }}{{ m.get('name') }}"
                    "{{ m.get('name', 'anon') }}|{% endfor %}",
    "globals": "{% for i in range(messages | length) %}{{ i }}{% endfor %} {{ range(1, 10, 3) | list }} "
               "{{ dict(a=1, b=messages[0].role) }} {{ bos_token }}{{ eos_token }} {{ add_generation_prompt }}",
    "whitespace-trim-and-lstrip": "start\n{% for m in messages %}\n    {% if m.role == 'user' %}\n"
                                  "    user: {{ m.content }}\n    {% else %}\n    other\n    {% endif %}\n"
                                  "{% endfor %}\n  {# comment #}\nend\n",
    "whitespace-minus-and-plus": "a  \n  {%- for m in messages -%}  \n  [{{- m.role -}}]  \n  {%- endfor %}\n"
                                 "  {%+ if true %}kept{% endif +%}\nb {{- ' c ' -}} d\n  {{ 'e' }}  \n",
    "whitespace-crlf-and-trailing-newline": "line one\r\n{% if true %}\r\n  two\r\n{% endif %}\r\nthree\n",
}

QWEN2_5 = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
"""

LLAMA3 = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
          "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + "
          "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
          "{{ content }}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")

LLAMA3_1 = r"""{{- bos_token }}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions." }}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}
{%- if tools_in_user_message and not tools is none %}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
    {%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}
{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""

MISTRAL = ("{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
           "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
           "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
           "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
           "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}")

MISTRAL_SYSTEM = r"""{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- if message['role'] == 'user' %}
        {%- if loop.last and system_message is defined %}
            {{- '[INST] ' + system_message + '\n\n' + message['content'] + '[/INST]' }}
        {%- else %}
            {{- '[INST] ' + message['content'] + '[/INST]' }}
        {%- endif %}
    {%- elif message['role'] == 'assistant' %}
        {{- ' ' + message['content'] + eos_token}}
    {%- else %}
        {{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') }}
    {%- endif %}
{%- endfor %}
"""

GEMMA = ("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
         "{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
         "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
         "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
         "{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}"
         "{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}")

GEMMA3 = r"""{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model\n'}}
{%- endif -%}
"""

# name: (template, with tools too)
FORMATS = {
    "chatml-qwen2.5": (QWEN2_5, True),
    "llama3": (LLAMA3, False),
    "llama3.1": (LLAMA3_1, True),
    "mistral": (MISTRAL, False),
    "mistral-system": (MISTRAL_SYSTEM, False),
    "gemma": (GEMMA, False),
    "gemma3": (GEMMA3, False),
}

CASES = {**{f"construct.{name}": (template, name == "filters-tojson") for name, template in CONSTRUCTS.items()},
         **{f"format.{name}": spec for name, spec in FORMATS.items()}}

# Conversations a chat format must refuse (by its raise_exception): two user turns in a row.
BAD_ORDER = [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]


def render_text(template, messages, add_generation_prompt, tools):
    rendered, _ = render_jinja_template(conversations=[messages], tools=tools, chat_template=template,
                                        add_generation_prompt=add_generation_prompt, bos_token=BOS, eos_token=EOS)
    return rendered[0]


def assistant_spans(template, messages, text):
    """Each assistant turn: from the end of the conversation before it rendered with the generation
    prompt to the end of the conversation through it, less the whitespace after the end-of-turn
    marker; as byte offsets. None when those renders are not both a start of the whole text."""
    spans = []
    for k, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        prompt = render_text(template, messages[:k], True, None)
        through = render_text(template, messages[:k + 1], False, None)
        if not (text.startswith(prompt) and text.startswith(through) and len(through) >= len(prompt)):
            return None
        end = len(prompt) + len(through[len(prompt):].rstrip(" \t\n\r"))
        spans.append([len(text[:len(prompt)].encode()), len(text[:end].encode())])
    return spans


def render(template, messages, add_generation_prompt, tools, with_spans):
    record = {"template": template, "messages": messages, "add_generation_prompt": add_generation_prompt,
              "bos_token": BOS, "eos_token": EOS, "tools": tools}
    try:
        record["expected"] = render_text(template, messages, add_generation_prompt, tools)
    except Exception as e:  # the template's raise_exception, or an error the engine must also report
        record["error"] = str(e)
        return record
    if with_spans and not add_generation_prompt and tools is None:
        record["assistant_spans"] = assistant_spans(template, messages, record["expected"])
    return record


def make_case(out, name):
    template, with_tools = CASES[name]
    records = []
    conversations = list(CONVERSATIONS.values()) + ([BAD_ORDER] if name.startswith("format.") else [])
    for tools in [None] + ([TOOLS] if with_tools else []):
        for messages in conversations:
            for add_generation_prompt in (False, True):
                records.append(render(template, messages, add_generation_prompt, tools, name.startswith("format.")))
    with open(os.path.join(out, f"{name}.jsonl"), "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    errors = sum("error" in r for r in records)
    refused = sum("assistant_spans" in r and r["assistant_spans"] is None for r in records)
    print(f"{name}: {len(records)} renders ({errors} raise, {refused} not a growing prefix)")


def main(argv):
    return case_script.run(argv, __doc__, list(CASES), lambda out, name, index: make_case(out, name))

if __name__ == "__main__":
    sys.exit(main(sys.argv))
