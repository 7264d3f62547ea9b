import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-util.js';
import type { AnswerMeta, AnswerWriter, FinishInfo } from './answer-writer.js';
import type { ParsedGeneration } from './openai-request.js';
import { isObj } from '../json-object.js';


type Item = Record<string, unknown>;

/**
 * The answer of `POST /v1/responses` in the Responses API's shapes: a `response` object whose
 * `output` is one assistant `message` with an `output_text` part, or `function_call` items;
 * streamed as typed SSE events (`response.created`, `response.in_progress`, per item
 * `response.output_item.added`, text or argument deltas and their `.done`,
 * `response.output_item.done`, then `response.completed` or, cut by max_output_tokens,
 * `response.incomplete`), each with a `sequence_number`.
 */
export function responsesAnswerWriter(g: ParsedGeneration, req: Record<string, unknown>, res: ServerResponse, meta: AnswerMeta): AnswerWriter {
  const suffix = meta.id.replace(/^resp_/, '');
  const msgId = `msg_${suffix}`;
  const fcId = (i: number) => `fc_${suffix}_${i}`;
  const calls = g.toolCalls;
  let seq = 0;
  let text = '';
  let open = -1; // the function call whose arguments are streaming
  const args: string[] = calls.map(() => '');
  const textFormat = isObj(req['text']) && isObj(req['text']['format']) ? req['text']['format'] : { type: 'text' };

  const response = (status: string, output: Item[], info?: FinishInfo): Item => ({
    id: meta.id, object: 'response', created_at: meta.created, status, background: false, error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: req['instructions'] ?? null, max_output_tokens: req['max_output_tokens'] ?? null, metadata: req['metadata'] ?? {},
    model: meta.model, output, output_text: output.length > 0 && calls.length === 0 ? text : '',
    parallel_tool_calls: req['parallel_tool_calls'] ?? true, previous_response_id: null, reasoning: { effort: null, summary: null },
    service_tier: 'auto', store: false, temperature: req['temperature'] ?? 1, text: { format: textFormat },
    tool_choice: req['tool_choice'] ?? 'auto', tools: req['tools'] ?? [], top_p: req['top_p'] ?? 1, truncation: 'disabled',
    usage: info ? {
      input_tokens: info.promptTokens, input_tokens_details: { cached_tokens: info.cachedTokens },
      output_tokens: info.outputTokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: info.promptTokens + info.outputTokens,
    } : null,
    user: req['user'] ?? null,
  });
  const part = () => ({ type: 'output_text', text, annotations: [], logprobs: [] });
  const message = (status: string): Item => ({ id: msgId, type: 'message', status, role: 'assistant', content: status === 'in_progress' ? [] : [part()] });
  const fcItem = (i: number, status: string): Item => ({ id: fcId(i), type: 'function_call', status, call_id: calls[i]!.id, name: calls[i]!.name, arguments: status === 'in_progress' ? '' : args[i] });
  const emit = (type: string, fields: Item): void => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`);
  };
  const closeCall = (i: number, status: string): void => {
    emit('response.function_call_arguments.done', { item_id: fcId(i), output_index: i, name: calls[i]!.name, arguments: args[i] });
    emit('response.output_item.done', { output_index: i, item: fcItem(i, status) });
  };

  return {
    begin() {
      if (!g.stream) return;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...meta.headers });
      emit('response.created', { response: response('in_progress', []) });
      emit('response.in_progress', { response: response('in_progress', []) });
      if (calls.length === 0) {
        emit('response.output_item.added', { output_index: 0, item: message('in_progress') });
        emit('response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
      }
      res.flushHeaders();
    },
    token(index) {
      const piece = g.pieces[index] ?? '';
      if (calls.length === 0) {
        text += piece;
        if (g.stream && piece !== '') emit('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta: piece, logprobs: [] });
        return;
      }
      const next = calls[open + 1];
      if (next !== undefined && index >= next.firstToken) {
        if (g.stream && open >= 0) closeCall(open, 'completed');
        open++;
        if (g.stream) emit('response.output_item.added', { output_index: open, item: fcItem(open, 'in_progress') });
      }
      args[open] += piece;
      if (g.stream) emit('response.function_call_arguments.delta', { item_id: fcId(open), output_index: open, delta: piece });
    },
    end(info) {
      const status = info.reason === 'length' ? 'incomplete' : 'completed';
      const output = calls.length === 0 ? [message(status)] : calls.map((_, i) => fcItem(i, i < open || status === 'completed' ? 'completed' : 'incomplete')).slice(0, open + 1);
      if (!g.stream) {
        sendJson(res, 200, response(status, output, info), meta.headers);
        return;
      }
      if (calls.length === 0) {
        emit('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] });
        emit('response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part: part() });
        emit('response.output_item.done', { output_index: 0, item: message(status) });
      } else if (open >= 0) closeCall(open, status);
      emit(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: response(status, output, info) });
      res.end();
    },
  };
}
