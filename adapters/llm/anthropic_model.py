"""Anthropic's Messages API through the official SDK (pointed anywhere with base_url)."""

import anthropic

from application.errors import ModelProviderError
from application.ports import ChatMessage


class AnthropicChatModel:
    def __init__(self, api_key: str, model: str, base_url: str | None = None,
                 timeout_s: float = 20.0) -> None:
        self._client = anthropic.Anthropic(api_key=api_key, base_url=base_url,
                                           timeout=timeout_s, max_retries=2)
        self._model = model

    def reply(self, system: str, messages: list[ChatMessage], max_tokens: int) -> str:
        try:
            response = self._client.messages.create(
                model=self._model, max_tokens=max_tokens, system=system,
                messages=[{"role": m.role, "content": m.content} for m in messages])
        except anthropic.APIError as error:
            raise ModelProviderError(f"the model provider failed: {error}") from None
        return "".join(block.text for block in response.content if block.type == "text").strip()
