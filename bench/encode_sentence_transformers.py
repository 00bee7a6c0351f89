"""Reference side of the encoding benchmark: sentence-transformers on the same passages and cores.

Takes SQuAD dev paragraphs cut to about 100 words, encodes them with all-MiniLM-L6-v2 on 2 torch threads,
prints passages/s, and writes the token ids and embeddings it produced so that Quarry encodes exactly the
same ids and its embeddings can be compared.
"""
import gzip
import json
import sys
import time
from pathlib import Path

import torch
from sentence_transformers import SentenceTransformer

squad, model_dir, out_dir, count = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(2)
with gzip.open(squad, "rt", encoding="utf-8") as f:
    data = json.load(f)
passages = []
for article in data["data"]:
    for paragraph in article["paragraphs"]:
        words = paragraph["context"].split()
        if len(words) >= 100:
            passages.append(" ".join(words[:100]))
passages = passages[:count]

model = SentenceTransformer(model_dir, device="cpu")
model.encode(passages[:32], batch_size=32)  # warm-up
start = time.perf_counter()
embeddings = model.encode(passages, batch_size=32, normalize_embeddings=False)
seconds = time.perf_counter() - start
ids = model.tokenizer(passages, truncation=True, max_length=model.max_seq_length)["input_ids"]
mean_ids = sum(map(len, ids)) / len(ids)
print(f"sentence-transformers: {len(passages)} passages (mean {mean_ids:.1f} ids), 2 threads: "
      f"{seconds:.2f} s, {len(passages) / seconds:.1f} passages/s")
out_dir.mkdir(parents=True, exist_ok=True)
with open(out_dir / "passages.jsonl", "w") as f:
    for row_ids, row in zip(ids, embeddings):
        f.write(json.dumps({"input_ids": row_ids, "embedding": [round(float(x), 7) for x in row]}) + "\n")
