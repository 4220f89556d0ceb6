"""The application layer: one module per use case, each a typed request in, a typed result out.

``cli/`` maps arguments to these requests and renders the results; it holds no orchestration.
``build`` assembles one report from a resolver; ``resolver`` is the one resolver factory;
``evidence`` stamps and replays the request a run recorded.
"""
