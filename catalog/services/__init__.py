"""Application services: keyword-only functions shared by the API, the CLI, the portal and the worker."""
