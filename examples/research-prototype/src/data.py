"""Loading the review dump and turning text into TF-IDF vectors."""

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split


def load_reviews(path="data/reviews.csv"):
    df = pd.read_csv(path)
    df = df.dropna(subset=["text", "rating"])
    df["label"] = (df["rating"] >= 4).astype(int)
    return df


def vectorize(train_text, test_text, max_features=20000):
    vec = TfidfVectorizer(max_features=max_features, ngram_range=(1, 2), min_df=3, sublinear_tf=True)
    x_train = vec.fit_transform(train_text)
    x_test = vec.transform(test_text)
    return vec, x_train, x_test


def split(df, test_size=0.2):
    return train_test_split(df["text"], df["label"], test_size=test_size, random_state=0)
