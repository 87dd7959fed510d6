"""The reference for the load test: the smallest Flask app, served by gunicorn
with the same settings as the real one (`gunicorn --workers 2 --threads 4`)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
