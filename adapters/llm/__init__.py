"""Language models behind the ChatModel port: Anthropic's SDK, or an offline provider."""
