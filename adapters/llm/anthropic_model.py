"""Anthropic's Messages API through the official SDK (pointed anywhere with base_url)."""

from collections.abc import Iterator

import anthropic
from anthropic.types import AssistantMessageParam, MessageParam, UserMessageParam

from application.ports import ChatMessage, ModelProviderError


class AnthropicChatModel:
    rates_messages = True

    def __init__(self, api_key: str, model: str, base_url: str | None = None,
                 timeout_s: float = 20.0) -> None:
        self._client = anthropic.Anthropic(api_key=api_key, base_url=base_url,
                                           timeout=timeout_s, max_retries=2)
        self._model = model

    def reply(self, system: str, messages: list[ChatMessage], max_tokens: int) -> str:
        try:
            response = self._client.messages.create(
                model=self._model, max_tokens=max_tokens, system=system,
                messages=[_message(m) for m in messages])
        except anthropic.APIError as error:
            raise ModelProviderError(f"the model provider failed: {error}") from None
        return "".join(block.text for block in response.content if block.type == "text").strip()

    def stream(self, system: str, messages: list[ChatMessage], max_tokens: int
               ) -> Iterator[str]:
        try:
            with self._client.messages.stream(
                    model=self._model, max_tokens=max_tokens, system=system,
                    messages=[_message(m) for m in messages]) as stream:
                yield from stream.text_stream
        except anthropic.APIError as error:  # timeouts and dropped connections included
            raise ModelProviderError(f"the model provider failed: {error}") from None


def _message(message: ChatMessage) -> MessageParam:
    if message.role == "assistant":
        return AssistantMessageParam(role="assistant", content=message.content)
    return UserMessageParam(role="user", content=message.content)
