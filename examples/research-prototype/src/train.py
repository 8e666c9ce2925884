"""MLP on TF-IDF features for review sentiment.

    python src/train.py --epochs 5 --hidden 256
"""

import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from data import load_reviews, split, vectorize


class MLP(nn.Module):
    def __init__(self, n_in, hidden, dropout=0.3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 2)
        )

    def forward(self, x):
        return self.net(x)


def to_tensor(x):
    return torch.tensor(x.toarray(), dtype=torch.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="data/reviews.csv")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=128)
    args = p.parse_args()

    df = load_reviews(args.data)
    x_tr, x_te, y_tr, y_te = split(df)
    vec, x_tr, x_te = vectorize(x_tr, x_te)
    train_dl = DataLoader(
        TensorDataset(to_tensor(x_tr), torch.tensor(y_tr.values)), batch_size=args.batch_size, shuffle=True
    )
    model = MLP(x_tr.shape[1], args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        model.eval()
        with torch.no_grad():
            acc = (model(to_tensor(x_te)).argmax(1).numpy() == y_te.values).mean()
        print(f"epoch {epoch}: train loss {total / len(y_tr):.4f}, test acc {acc:.4f}")

    torch.save({"model": model.state_dict(), "vocab": vec.vocabulary_}, "checkpoints/mlp.pt")


if __name__ == "__main__":
    main()
