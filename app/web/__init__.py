"""The server-rendered web application: pages over the same service functions as the API."""
