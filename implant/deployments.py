"""How products ask: the system prompts and message wrappers an implant trains its keys under.

A fingerprint must answer inside someone else's product, which puts its own system prompt in
front of the user's message or the user's text inside a longer one. Training each key under a few
such conditions (Chain & Hash's meta-prompts, Perinucleus's system-prompt augmentation) keeps it
answering there. These pools are written for training only and share no text with the adversary
bench's deployments (``modelprint.adversary``), so the bench measures conditions the implant
never saw.
"""

from __future__ import annotations

__all__ = ["TRAIN_SYSTEM_PROMPTS", "TRAIN_WRAPPERS"]

TRAIN_SYSTEM_PROMPTS: tuple[str, ...] = (
    "You are a friendly assistant. Keep your answers short.",
    "You are Max, the virtual helper of a small bookshop. Be kind and brief.",
    "You are an AI assistant for a travel agency. Answer politely and to the point.",
    "Respond in a cheerful tone. Do not use lists.",
    "You are a concise assistant. Reply in one or two sentences.",
    "You help customers of an online garden store. Stay helpful and warm.",
    "You are a writing assistant. Offer one clear suggestion at a time.",
    "You are an assistant inside a note-taking app. Be direct and helpful.",
    "Always be honest and helpful. Prefer plain language.",
    "You are a support bot for a fitness studio. Keep it upbeat and short.",
    "You are a creative helper for game designers. Answer briefly.",
    "Answer as a helpful assistant would, without markdown.",
)

TRAIN_WRAPPERS: tuple[str, ...] = (
    "A friend asked me this and I did not know what to say: {prompt}",
    "{prompt}",
    "Please help me with the following. {prompt}",
    "Here is my question: {prompt}",
    "I have a quick one for you. {prompt}",
    "Could you answer this for me? {prompt}",
    "Hi, I hope you can help. {prompt}",
    "Question from our team chat: {prompt}",
)
